import { createRoute } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { VapiToolCallsRequest, VapiToolCallsResponse, VapiToolsOutput } from '@pims/sync-contracts';
import { API_KEY, errorResponses, jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

const named = <T extends ZodType>(schema: T, id: string): T => schema.meta({ id }) as T;

export const vapiSchemas = {
  VapiToolCallsRequest: named(VapiToolCallsRequest, 'VapiToolCallsRequest'),
  VapiToolCallsResponse: named(VapiToolCallsResponse, 'VapiToolCallsResponse'),
  VapiToolsOutput: named(VapiToolsOutput, 'VapiToolsOutput'),
};

/** Vapi's server secret: the header x-vapi-secret, or the same secret as a bearer token. */
export const VAPI_SECRET_SCHEMES = {
  vapiSecret: { type: 'apiKey' as const, in: 'header' as const, name: 'x-vapi-secret', description: 'VAPI_SECRET, as Vapi sends a server secret' },
  vapiBearer: { type: 'http' as const, scheme: 'bearer', description: 'VAPI_SECRET as a bearer token (a Vapi credential or custom header)' },
};
const VAPI_SECRET: Record<string, string[]>[] = [{ vapiSecret: [] }, { vapiBearer: [] }];

const error = (description: string) => jsonContent(schemas.ErrorBody, description);

export const toolCalls = createRoute({
  method: 'post',
  path: '/vapi/tool-calls',
  tags: ['voice'],
  summary: "Vapi's tool-calls server message: answers every tool call (x-vapi-secret, not x-api-key)",
  description:
    'Set as the server URL of the assistant (or of its tools). The clinic is the one whose voiceAssistantId is message.assistant.id (or message.call.assistantId). ' +
    'Always 200 for a well-formed message: one entry per tool call, `result` (JSON text) or `error` (a sentence the assistant can say). The same toolCallId is answered the same, and books once. ' +
    'Other message types are answered with no results.',
  security: VAPI_SECRET,
  request: { body: { required: true, ...jsonContent(vapiSchemas.VapiToolCallsRequest, "Vapi's server message") } },
  responses: {
    200: jsonContent(vapiSchemas.VapiToolCallsResponse, 'One answer per tool call'),
    400: error('The body is not a Vapi server message (validation_error with issues, or invalid_json)'),
    401: error('Missing or wrong x-vapi-secret (unauthorized)'),
    413: error('The body is larger than 1 MB (payload_too_large)'),
    415: error('The body is not JSON (unsupported_media_type)'),
    503: error('VAPI_SECRET is not set (vapi_not_configured)'),
    500: error('internal_error'),
  },
});

export const tools = createRoute({
  method: 'get',
  path: '/vapi/tools',
  tags: ['voice'],
  summary: "The five tools' definitions (JSON Schemas of their arguments), ready to paste into a Vapi assistant",
  security: API_KEY,
  responses: {
    200: jsonContent(vapiSchemas.VapiToolsOutput, 'The tools'),
    ...errorResponses(401),
  },
});
