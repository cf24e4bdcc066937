-- The voice assistant's answered tool calls (CONTRACT section 8): Vapi may deliver one tool call
-- again (a retry after a lost answer), and the same toolCallId must get the same answer and book
-- nothing more. The first answer stored for a (clinic, toolCallId) is the answer: the primary key
-- decides between two deliveries that race (insert ... on conflict returns the row that won).
-- An answer is either a result (JSON text) or an error (a sentence the assistant can say).
create table public.vapi_tool_calls (
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  tool_call_id text not null check (length(tool_call_id) between 1 and 200),
  name text not null check (length(name) between 1 and 100),
  result text,
  error text,
  created_at timestamptz not null default now(),
  primary key (clinic_id, tool_call_id),
  constraint vapi_tool_calls_one_answer check ((result is null) <> (error is null))
);
alter table public.vapi_tool_calls enable row level security;

-- For pruning old answers (a redelivery comes within minutes; nothing reads rows older than a day).
create index idx_vapi_tool_calls_created_at on public.vapi_tool_calls (created_at);

-- Only the service reads and writes it (answers may name a caller's appointment).
revoke all on public.vapi_tool_calls from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.vapi_tool_calls to service_role;
create policy vapi_tool_calls_service_role_all on public.vapi_tool_calls for all to service_role using (true) with check (true);
