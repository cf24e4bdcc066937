import { createRoute } from '@hono/zod-openapi';
import { ClinicIdParam } from '@pims/sync-contracts';
import { API_KEY, BODY_ERRORS, errorResponses, jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';
import { clinicSchemas } from './schemas';

export const create = createRoute({
  method: 'post',
  path: '/clinics',
  tags: ['clinics'],
  summary: 'Register a clinic (its nightly sync is planned by the dispatcher; starts no sync)',
  security: API_KEY,
  request: { body: { required: true, ...jsonContent(schemas.CreateClinicInput, 'The clinic, its PIMS log-in and optional schedule') } },
  responses: {
    201: jsonContent(schemas.CreateClinicOutput, 'Created'),
    ...errorResponses(...BODY_ERRORS),
  },
});

export const list = createRoute({
  method: 'get',
  path: '/clinics',
  tags: ['clinics'],
  summary: 'Clinics with their last sync (never credentials)',
  security: API_KEY,
  responses: {
    200: jsonContent(schemas.ListClinicsOutput, 'Clinics'),
    ...errorResponses(401),
  },
});

export const get = createRoute({
  method: 'get',
  path: '/clinics/{id}',
  tags: ['clinics'],
  summary: "A clinic's settings (never a password or secret)",
  security: API_KEY,
  request: { params: ClinicIdParam },
  responses: {
    200: jsonContent(clinicSchemas.ClinicSettings, 'The clinic'),
    ...errorResponses(400, 401, 404),
  },
});

export const update = createRoute({
  method: 'patch',
  path: '/clinics/{id}',
  tags: ['clinics'],
  summary: 'Change any of the settings (a changed cron, time zone or syncEnabled takes effect for the next nightly run)',
  security: API_KEY,
  request: { params: ClinicIdParam, body: { required: true, ...jsonContent(clinicSchemas.UpdateClinicInput, 'The settings to change') } },
  responses: {
    200: jsonContent(clinicSchemas.ClinicSettings, 'The clinic after the change'),
    ...errorResponses(...BODY_ERRORS, 404, 409),
  },
});

export const testConnection = createRoute({
  method: 'post',
  path: '/clinics/{id}/test-connection',
  tags: ['clinics'],
  summary: "Log in to the clinic's PIMS with its stored credentials: {ok:true} or {ok:false, error}",
  security: API_KEY,
  request: { params: ClinicIdParam },
  responses: {
    200: jsonContent(clinicSchemas.TestConnectionOutput, 'The outcome of the log-in'),
    ...errorResponses(400, 401, 404),
  },
});

export const testCredentials = createRoute({
  method: 'post',
  path: '/clinics/test-connection',
  tags: ['clinics'],
  summary: 'Log in to a PIMS with credentials not saved yet (a clinic form before it is created): {ok:true} or {ok:false, error}; nothing is stored',
  security: API_KEY,
  request: { body: { required: true, ...jsonContent(clinicSchemas.TestCredentialsInput, 'The time zone and the PIMS log-in to try') } },
  responses: {
    200: jsonContent(clinicSchemas.TestConnectionOutput, 'The outcome of the log-in'),
    ...errorResponses(...BODY_ERRORS),
  },
});
