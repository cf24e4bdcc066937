-- The nightly full sync is planned by one dispatcher (a leader per minute), not by one pg-boss
-- schedule per clinic. Each clinic's config carries its settings (sync_enabled, catch_up_hours) and
-- the dispatcher's state: the next instant a nightly run is due, and the last due instant handled
-- (queued or recorded as missed), so no run is queued twice and none is skipped.
alter table public.clinic_schedule_config
  add column sync_enabled boolean not null default true,
  add column catch_up_hours int not null default 6 check (catch_up_hours between 0 and 23),
  -- null: not planned yet (new clinic, or its cron, time zone or sync_enabled changed); the next
  -- dispatcher tick plans it.
  add column next_sync_at timestamptz,
  add column last_scheduled_at timestamptz,
  add column last_schedule_outcome text check (last_schedule_outcome in ('queued', 'missed')),
  add column last_scheduled_sync_id uuid;

-- The dispatcher's one query per minute reads only the due rows through this index, so its cost does
-- not grow with the number of clinics.
create index idx_clinic_schedule_config_next_sync_at
  on public.clinic_schedule_config ((coalesce(next_sync_at, '-infinity'::timestamptz)))
  where sync_enabled;

-- A changed cron, time zone or sync_enabled takes effect for the next nightly run: re-plan it.
create or replace function public.replan_nightly_sync()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.sync_cron is distinct from old.sync_cron
      or new.timezone is distinct from old.timezone
      or new.sync_enabled is distinct from old.sync_enabled)
     and new.next_sync_at is not distinct from old.next_sync_at then
    new.next_sync_at = null;
  end if;
  return new;
end;
$$;
revoke execute on function public.replan_nightly_sync() from public;
create trigger trg_clinic_schedule_config_replan before update on public.clinic_schedule_config
  for each row execute function public.replan_nightly_sync();
