create table public.case_sync_audits (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  sync_type text not null check (sync_type in ('inbound', 'cases', 'reconciliation', 'full')),
  status text not null default 'queued'
    check (status in ('queued', 'in_progress', 'completed', 'partial', 'failed', 'cancelled')),
  error_message text,
  error_code text,
  appointments_found int not null default 0,
  cases_created int not null default 0,
  cases_updated int not null default 0,
  cases_deleted int not null default 0,
  total_items int not null default 0,
  processed_items int not null default 0,
  progress_percentage int not null default 0 check (progress_percentage between 0 and 100),
  current_phase text,
  phases jsonb not null default '[]'::jsonb,
  options jsonb not null default '{}'::jsonb,
  triggered_by text not null default 'api' check (triggered_by in ('admin', 'api', 'schedule')),
  requested_by text,
  attempt int not null default 1,
  -- When a worker died mid-run, the retry is a new audit row that points at the lost one.
  retry_of uuid references public.case_sync_audits (id) on delete set null,
  cancel_requested_at timestamptz,
  heartbeat_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.case_sync_audits enable row level security;
create trigger trg_case_sync_audits_updated_at before update on public.case_sync_audits
  for each row execute function public.set_updated_at();
create index idx_case_sync_audits_clinic_id_created_at on public.case_sync_audits (clinic_id, created_at desc, id desc);
create index idx_case_sync_audits_created_at on public.case_sync_audits (created_at desc, id desc);
-- At most one queued or running sync per clinic, decided by the database even when requests race.
create unique index idx_case_sync_audits_clinic_id_active on public.case_sync_audits (clinic_id)
  where status in ('queued', 'in_progress');

grant select, insert, update, delete on public.case_sync_audits to service_role;
grant select on public.case_sync_audits to authenticated;
create policy case_sync_audits_service_role_all on public.case_sync_audits
  for all to service_role using (true) with check (true);
create policy case_sync_audits_admin_read on public.case_sync_audits
  for select to authenticated using (public.is_admin());
