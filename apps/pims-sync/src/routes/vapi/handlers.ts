import type { RouteHandler } from '@hono/zod-openapi';
import { AppError } from '@pims/util';
import { vapiToolDefinitions, type VapiToolCallsResponse } from '@pims/sync-contracts';
import type { VoiceTools } from '@pims/sync-data-access';
import { readToolCalls } from './message';
import type * as routes from './routes';

export interface VapiDeps {
  /** The five tools over the booking service (without them, as without a secret: 503). */
  tools?: VoiceTools;
  /** VAPI_SECRET; unset, tool calls answer 503 vapi_not_configured. */
  secret?: string;
  /** The API key GET /api/vapi/tools needs (x-api-key). */
  apiKey: string;
}

/** Vapi's routes: thin; the tools live in the domain (VoiceTools). */
export function vapiHandlers(deps: VapiDeps) {
  const definitions = vapiToolDefinitions();
  const toolCalls: RouteHandler<typeof routes.toolCalls> = async (c) => {
    const { tools } = deps;
    if (!tools) throw new AppError('vapi_not_configured', 'Voice-assistant tool calls are not set up in this process', { status: 503 });
    const { context, calls } = readToolCalls(c.req.valid('json'));
    const body: VapiToolCallsResponse = { results: calls.length ? await tools.answer(context, calls) : [] };
    return c.json(body, 200);
  };
  const tools: RouteHandler<typeof routes.tools> = async (c) => c.json(definitions, 200);
  return { toolCalls, tools };
}
