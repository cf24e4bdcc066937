import type { ZodType } from 'zod';
import { schemas } from './schemas';

/**
 * Pieces shared by the routes' `createRoute` definitions, and the finishing of the generated
 * OpenAPI document (see openApiDocument).
 */

export const OPENAPI_INFO = {
  title: 'pims-sync',
  version: '1.0.0',
  description:
    "Keeps a veterinary clinic's PIMS and the product database in step (CONTRACT section 2). Every /api route needs the x-api-key header; /health, /openapi.json and /docs do not.",
};

/** The security requirement of every /api route (the scheme is registered by the app). */
export const API_KEY = [{ apiKey: [] }];
export const API_KEY_SCHEME = { type: 'apiKey' as const, in: 'header' as const, name: 'x-api-key' };

export const jsonContent = <T extends ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR_TEXT = {
  400: 'Invalid input: validation_error (with issues) or invalid_json',
  401: 'Missing or wrong x-api-key (unauthorized)',
  404: 'Unknown id',
  409: 'Conflict, named by the code: sync_in_progress (with activeSyncId), sync_not_active, slot_unavailable (with alternatives), hold_expired, booking_not_active, idempotency_conflict, write_back_not_failed, voice_assistant_in_use',
  413: 'The body is larger than 64 KB (payload_too_large)',
  415: 'The body is not JSON (unsupported_media_type)',
  500: 'internal_error',
} as const;
type ErrorStatus = keyof typeof ERROR_TEXT;
type ErrorResponse = ReturnType<typeof jsonContent<typeof schemas.ErrorBody>>;

/** The error answers of a route, each the contract's error body; 500 is always listed. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S | 500, ErrorResponse> {
  const out = {} as Record<S | 500, ErrorResponse>;
  for (const s of [...statuses, 500 as const]) out[s as S | 500] = jsonContent(schemas.ErrorBody, ERROR_TEXT[s]);
  return out;
}

/** The errors of every /api route with a JSON body. */
export const BODY_ERRORS = [400, 401, 413, 415] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The generator (@asteasolutions/zod-to-openapi) writes a regex with flags as `source/flags` (it
 * strips only the slashes of `/source/flags`); OpenAPI wants the bare ECMA-262 source. Every
 * pattern of the contract's schemas is written for the `u` flag, which JSON Schema assumes.
 */
export function fixPatterns<T>(doc: T): T {
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = k === 'pattern' && typeof x === 'string' ? x.replace(/(?<!\\)\/[dgimsuvy]+$/, '') : walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(doc as Json) as T;
}
