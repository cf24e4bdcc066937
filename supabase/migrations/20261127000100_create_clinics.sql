create table public.clinics (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  timezone text not null,
  pims_provider text not null default 'idexx_neo' check (pims_provider in ('idexx_neo')),
  pims_base_url text not null,
  pims_company_id text,
  -- AES-256-GCM ciphertext of {"username","password"}; never plain text.
  pims_credentials_encrypted text not null check (pims_credentials_encrypted like 'v1:%'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.clinics enable row level security;
create trigger trg_clinics_updated_at before update on public.clinics
  for each row execute function public.set_updated_at();
create index idx_clinics_name on public.clinics (name);

create table public.clinic_schedule_config (
  clinic_id uuid primary key references public.clinics (id) on delete cascade,
  open_time time not null default '08:00',
  close_time time not null default '18:00',
  days_of_week int[] not null default '{1,2,3,4,5}' check (days_of_week <@ '{1,2,3,4,5,6,7}'::int[]),
  slot_duration_minutes int not null default 30 check (slot_duration_minutes between 5 and 480),
  default_capacity int not null default 2 check (default_capacity between 1 and 100),
  timezone text not null,
  backward_sync_days int not null default 14 check (backward_sync_days between 1 and 90),
  forward_sync_days int not null default 14 check (forward_sync_days between 1 and 90),
  sync_cron text not null default '0 2 * * *',
  -- false when the clinic gave no schedule: slots then follow the PIMS's calendar set-up.
  has_business_hours boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (close_time > open_time or close_time = '00:00' or close_time = '24:00')
);
alter table public.clinic_schedule_config enable row level security;
create trigger trg_clinic_schedule_config_updated_at before update on public.clinic_schedule_config
  for each row execute function public.set_updated_at();

grant select, insert, update, delete on public.clinics, public.clinic_schedule_config to service_role;
-- Admins may read clinics, never the credentials column.
grant select (id, name, timezone, pims_provider, pims_base_url, pims_company_id, created_at, updated_at)
  on public.clinics to authenticated;
grant select on public.clinic_schedule_config to authenticated;

create policy clinics_service_role_all on public.clinics for all to service_role using (true) with check (true);
create policy clinics_admin_read on public.clinics for select to authenticated using (public.is_admin());
create policy clinic_schedule_config_service_role_all on public.clinic_schedule_config
  for all to service_role using (true) with check (true);
create policy clinic_schedule_config_admin_read on public.clinic_schedule_config
  for select to authenticated using (public.is_admin());
