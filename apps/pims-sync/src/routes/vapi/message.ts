import type { VapiToolCall, VapiToolCallsRequest } from '@pims/sync-contracts';
import type { VoiceCallContext, VoiceToolCall } from '@pims/sync-data-access';

/**
 * Reads a Vapi `tool-calls` message into the calls to answer and their context. A call is taken
 * from `toolCallList` (`{id, function:{name, arguments}}`, or `name`/`arguments` at the entry's
 * top) and from `toolWithToolCallList` (`{function:{name}, toolCall:{id, function:{...}}}`); each
 * toolCallId once, what one list leaves out filled in from the other. `arguments` stays as sent
 * (object or JSON text; some payloads call it `parameters`).
 */
export function readToolCalls(body: VapiToolCallsRequest): { context: VoiceCallContext; calls: VoiceToolCall[] } {
  const m = body.message;
  const context: VoiceCallContext = {
    assistantId: nonEmpty(m.assistant?.id) ?? nonEmpty(m.call?.assistantId),
    callerNumber: nonEmpty(m.call?.customer?.number) ?? nonEmpty(m.customer?.number),
  };
  if (m.type !== 'tool-calls') return { context, calls: [] };
  const byId = new Map<string, VoiceToolCall>();
  const add = (entry: VapiToolCall, toolName?: string) => {
    const call: VoiceToolCall = { id: entry.id, name: nameOf(entry) ?? toolName ?? '', arguments: argumentsOf(entry) };
    const seen = byId.get(call.id);
    if (!seen) byId.set(call.id, call);
    else {
      if (!seen.name) seen.name = call.name;
      if (seen.arguments === undefined) seen.arguments = call.arguments;
    }
  };
  for (const entry of m.toolCallList ?? []) add(entry);
  for (const pair of m.toolWithToolCallList ?? []) add(pair.toolCall, nonEmpty(pair.function?.name) ?? nonEmpty(pair.name) ?? undefined);
  return { context, calls: [...byId.values()] };
}

const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

function nameOf(e: VapiToolCall): string | null {
  return nonEmpty(e.function?.name) ?? nonEmpty(e.name);
}

function argumentsOf(e: VapiToolCall): unknown {
  const candidates = [e.function?.arguments, e.function?.parameters, e.arguments, e.parameters];
  return candidates.find((a) => a !== undefined && a !== null);
}
