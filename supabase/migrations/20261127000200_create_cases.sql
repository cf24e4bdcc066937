create table public.cases (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  external_id text not null,
  source text not null default 'idexx_neo',
  status text not null default 'draft' check (status in ('draft', 'ongoing', 'completed', 'reviewed')),
  metadata jsonb not null default '{}'::jsonb,
  scheduled_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint cases_clinic_id_external_id_key unique (clinic_id, external_id)
);
alter table public.cases enable row level security;
create trigger trg_cases_updated_at before update on public.cases
  for each row execute function public.set_updated_at();
create index idx_cases_clinic_id_scheduled_at on public.cases (clinic_id, scheduled_at);

grant select, insert, update, delete on public.cases to service_role;
grant select on public.cases to authenticated;
create policy cases_service_role_all on public.cases for all to service_role using (true) with check (true);
create policy cases_admin_read on public.cases for select to authenticated using (public.is_admin());
