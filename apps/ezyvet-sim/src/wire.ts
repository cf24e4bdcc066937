import type { Resource } from './endpoints';
import type { Page } from './filters';
import type { ServedRecord } from './store';

/** ezyVet's answer shapes (docs/ezyvet-wire.md sections 2 and 3). */

export interface EzAnswer {
  status: 200 | 400 | 401 | 404 | 409 | 429 | 500 | 502 | 503;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** ezyVet's error body: `{"messages": [{"level": "error", "type", "text", "fields": []}]}`. */
export function errorBody(type: string, text: string, fields: string[] = []): Record<string, unknown> {
  return { messages: [{ level: 'error', type, text, fields }] };
}

export function refusal(
  status: EzAnswer['status'],
  type: string,
  text: string,
  fields: string[] = [],
): EzAnswer {
  return { status, body: errorBody(type, text, fields) };
}

export const badRequest = (text: string, fields: string[] = []) =>
  refusal(400, 'InvalidRequestException', text, fields);
export const notFound = (text = 'The requested resource was not found.') =>
  refusal(404, 'NotFoundException', text);

/** The text ezyVet answers for a missing, unknown or expired bearer token (its home page). */
export const BAD_TOKEN_TEXT =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Check the "access token" parameter.';

export function missingParameterText(name: string): string {
  return `The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Check the "${name}" parameter.`;
}

export const TOO_MANY = errorBody('TooManyRequestsException', 'Too many requests.');

/** A list answer: `{meta, items: [{"<resource>": record}], messages: []}`. */
export function listBody(resource: Resource, page: Page, timestamp: number): Record<string, unknown> {
  return {
    meta: {
      timestamp,
      items_page: page.page,
      items_page_total: page.pageTotal,
      items_page_size: page.pageSize,
      items_total: page.total,
    },
    items: page.items.map((r) => ({ [resource]: r })),
    messages: [],
  };
}

/** An answer holding one record (by id, a create, an update). */
export function singleBody(
  resource: Resource,
  record: ServedRecord,
  timestamp: number,
): Record<string, unknown> {
  return listBody(resource, { items: [record], page: 1, pageTotal: 1, pageSize: 1, total: 1 }, timestamp);
}
