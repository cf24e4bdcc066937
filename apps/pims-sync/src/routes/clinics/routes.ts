import { createRoute } from '@hono/zod-openapi';
import { API_KEY, BODY_ERRORS, errorResponses, jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

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
