import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError, isAppError, redactSecrets } from '@pims/util';
import type { ErrorBody } from '@pims/sync-contracts';
import type { ServiceLogger } from '../logger';

/** A validation failure: answered 400 with the zod issues at error.issues. */
export class ValidationError extends AppError {
  constructor(
    readonly issues: ZodError['issues'],
    where: string,
  ) {
    super('validation_error', `Invalid ${where}: ${summarize(issues)}`, { status: 400 });
  }
}

function summarize(issues: ZodError['issues']): string {
  const first = issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return first.join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** Statuses an AppError may carry to a client; anything else is a server error. */
const CLIENT_STATUSES = new Set([400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 503]);

/**
 * The one error handler: AppErrors become the contract's error body with their status; anything
 * unknown is logged and answered 500 internal_error without its text.
 */
export function handleError(err: unknown, c: Context, logger: ServiceLogger): Response {
  if (err instanceof ValidationError) {
    return c.json(errorBody(err.code, err.message, { issues: err.issues }), 400);
  }
  if (isAppError(err)) {
    const status = (CLIENT_STATUSES.has(err.status) ? err.status : 500) as ContentfulStatusCode;
    const extra: Partial<ErrorBody['error']> = {};
    const activeSyncId = err.details?.activeSyncId;
    if (typeof activeSyncId === 'string') extra.activeSyncId = activeSyncId;
    if (status >= 500) logger.error({ err: { code: err.code, message: err.message }, path: c.req.path }, 'request failed');
    return c.json(errorBody(err.code, status >= 500 && status !== 503 ? 'Internal server error' : err.message, extra), status);
  }
  if (err instanceof HTTPException) {
    if (err.status === 400) {
      const malformed = /json/i.test(err.message);
      return c.json(errorBody(malformed ? 'invalid_json' : 'bad_request', malformed ? 'The request body is not valid JSON' : 'Bad request'), 400);
    }
    const status = err.status as ContentfulStatusCode;
    return c.json(errorBody(status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'http_error', err.message || 'Request failed'), status);
  }
  const e = err as Error | undefined;
  logger.error(
    { err: { name: e?.name, message: redactSecrets(String(e?.message ?? err)), stack: e?.stack ? redactSecrets(e.stack) : undefined }, path: c.req.path },
    'unexpected error',
  );
  return c.json(errorBody('internal_error', 'Internal server error'), 500);
}
