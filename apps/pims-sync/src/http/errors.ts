import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, isAppError, redactSecrets } from '@pims/util';
import type { ErrorBody } from '@pims/sync-contracts';
import type { ServiceLogger } from '../logger';

/** Bounds of a validation answer: however bad the input, the answer stays small. */
export const ISSUE_LIMITS = { issues: 20, message: 200, pathSegments: 8, segment: 64, listItems: 10, bytes: 8 * 1024 } as const;

/** A validation failure: answered 400 with the zod issues at error.issues (bounded, see boundIssues). */
export class ValidationError extends AppError {
  readonly issues: BoundedIssue[];
  constructor(issues: readonly RawIssue[], where: string) {
    super('validation_error', `Invalid ${where}: ${summarize(issues)}`, { status: 400 });
    this.issues = boundIssues(issues);
  }
}

/** What a zod issue (or one of ours) may carry; only the fields below are ever answered. */
interface RawIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}
export interface BoundedIssue {
  code: string;
  path: (string | number)[];
  message: string;
  [k: string]: unknown;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const segment = (p: PropertyKey): string | number => (typeof p === 'number' ? p : cut(String(p), ISSUE_LIMITS.segment));
const boundedPath = (path: readonly PropertyKey[]) => {
  const segs = path.slice(0, ISSUE_LIMITS.pathSegments).map(segment);
  return path.length > ISSUE_LIMITS.pathSegments ? [...segs, '…'] : segs;
};
/** Scalar details worth keeping (never `input`: it may be a password). */
const DETAILS = ['expected', 'origin', 'format', 'minimum', 'maximum', 'inclusive', 'divisor'] as const;

/**
 * At most ISSUE_LIMITS.issues issues, each with a bounded path and message and its scalar details,
 * unrecognized keys listed up to ISSUE_LIMITS.listItems, and the whole under ISSUE_LIMITS.bytes.
 * The input itself is never echoed.
 */
export function boundIssues(issues: readonly RawIssue[]): BoundedIssue[] {
  const out: BoundedIssue[] = [];
  let bytes = 0;
  for (const issue of issues.slice(0, ISSUE_LIMITS.issues)) {
    const b: BoundedIssue = { code: cut(String(issue.code), 40), path: boundedPath(issue.path ?? []), message: cut(String(issue.message), ISSUE_LIMITS.message) };
    const details = issue as unknown as Record<string, unknown>;
    for (const k of DETAILS) {
      const v = details[k];
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') b[k] = typeof v === 'bigint' ? String(v) : v;
      else if (typeof v === 'string') b[k] = cut(v, ISSUE_LIMITS.segment);
    }
    for (const k of ['keys', 'values'] as const) {
      const list = details[k];
      if (Array.isArray(list)) {
        b[k] = list.slice(0, ISSUE_LIMITS.listItems).map((x) => (typeof x === 'number' || typeof x === 'boolean' ? x : cut(String(x), ISSUE_LIMITS.segment)));
        if (list.length > ISSUE_LIMITS.listItems) b[`${k}Omitted`] = list.length - ISSUE_LIMITS.listItems;
      }
    }
    bytes += JSON.stringify(b).length;
    if (bytes > ISSUE_LIMITS.bytes) break;
    out.push(b);
  }
  return out;
}

function summarize(issues: readonly RawIssue[]): string {
  const first = issues.slice(0, 3).map((i) => `${i.path?.length ? boundedPath(i.path).join('.') : '(root)'}: ${cut(String(i.message), 100)}`);
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
    // slot_unavailable: the nearest slots with room (the domain's own list, at most a few).
    const alternatives = err.details?.alternatives;
    if (Array.isArray(alternatives)) extra.alternatives = alternatives.slice(0, 10) as NonNullable<ErrorBody['error']['alternatives']>;
    // A value the domain found not to fit the clinic's others is answered like the schema's issues.
    const issues = err.details?.issues;
    if (status === 400 && Array.isArray(issues)) extra.issues = boundIssues(issues as RawIssue[]);
    if (status >= 500) logger.error({ err: { code: err.code, message: err.message }, path: c.req.path }, 'request failed');
    return c.json(errorBody(err.code, status >= 500 && status !== 503 ? 'Internal server error' : err.message, extra), status);
  }
  if (err instanceof HTTPException) {
    if (err.status === 400) {
      const malformed = /json/i.test(err.message);
      return c.json(errorBody(malformed ? 'invalid_json' : 'bad_request', malformed ? 'The request body is not valid JSON' : 'Bad request'), 400);
    }
    if (err.status === 415) return c.json(errorBody('unsupported_media_type', 'The request body must be JSON (content-type: application/json)'), 415);
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
