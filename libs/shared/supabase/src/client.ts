import {
  createClient,
  type SupabaseClient,
  type SupabaseClientOptions,
  type WebSocketLikeConstructor,
} from '@supabase/supabase-js';
import type { Database } from '@pims/db';
import { AppError } from '@pims/util-core';

/** A supabase-js client typed by the generated Database type of supabase/migrations. */
export type PimsSupabaseClient = SupabaseClient<Database>;

/**
 * A supabase-js client for the product's Supabase project, typed by the generated Database type:
 * `from('cases')`, `rpc('slot_availability', ...)` and every filter know the tables, columns and
 * functions of supabase/migrations. `key` is the project's service-role key (a back end: it reads
 * every row) or its anon key with a user's JWT in `options.global.headers.Authorization` (RLS then
 * shows rows to admins only; see docs/supabase.md). Sessions are not kept: a server-side client by
 * default; pass `options.auth` to change that.
 *
 * supabase-js sets up its Realtime client at once and needs a WebSocket for it, which Node 20 does
 * not have: there (and only when no `options.realtime.transport` is given) Realtime gets a
 * transport that refuses to connect, so the REST reads work and connecting Realtime fails with a
 * message that says what to pass. Give `options.realtime.transport` (e.g. the ws package) to use
 * Realtime on Node 20.
 */
export function createPimsSupabaseClient(
  url: string,
  key: string,
  options: SupabaseClientOptions<'public'> = {},
): PimsSupabaseClient {
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new AppError(
      'validation_error',
      'The Supabase URL must be the project URL, e.g. https://<project-ref>.supabase.co',
      { status: 400 },
    );
  }
  if (key.trim() === '') {
    throw new AppError(
      'validation_error',
      'The Supabase key is empty: give the project service-role key or its anon key',
      { status: 400 },
    );
  }
  const realtime =
    options.realtime?.transport === undefined && typeof globalThis.WebSocket === 'undefined'
      ? { ...options.realtime, transport: NoWebSocket }
      : options.realtime;
  return createClient<Database>(url, key, {
    ...options,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false, ...options.auth },
    ...(realtime !== undefined ? { realtime } : {}),
  });
}

/** The Realtime transport where the runtime has no WebSocket (Node 20): it refuses to connect. */
const NoWebSocket: WebSocketLikeConstructor = class {
  constructor() {
    throw new AppError(
      'realtime_unavailable',
      'This runtime has no WebSocket (Node 20): pass options.realtime.transport (e.g. the ws package) to createPimsSupabaseClient to use Realtime',
    );
  }
} as unknown as WebSocketLikeConstructor;
