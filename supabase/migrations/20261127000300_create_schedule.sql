create table public.schedule_slots (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  date date not null,
  start_time time not null,
  end_time time not null,
  start_at timestamptz not null,
  end_at timestamptz not null,
  capacity int not null check (capacity >= 0),
  -- A PIMS may overbook, so booked_count may pass capacity; it never goes below zero.
  booked_count int not null default 0 check (booked_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint schedule_slots_clinic_id_date_start_time_key unique (clinic_id, date, start_time)
);
alter table public.schedule_slots enable row level security;
create trigger trg_schedule_slots_updated_at before update on public.schedule_slots
  for each row execute function public.set_updated_at();

create table public.schedule_appointments (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  neo_appointment_id text not null,
  slot_id uuid references public.schedule_slots (id) on delete set null,
  date date not null,
  start_time time not null,
  end_time time not null,
  start_at timestamptz not null,
  end_at timestamptz not null,
  status text not null check (status in ('scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
  metadata jsonb not null default '{}'::jsonb,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint schedule_appointments_clinic_id_neo_appointment_id_key unique (clinic_id, neo_appointment_id)
);
alter table public.schedule_appointments enable row level security;
create trigger trg_schedule_appointments_updated_at before update on public.schedule_appointments
  for each row execute function public.set_updated_at();
create index idx_schedule_appointments_clinic_id_date on public.schedule_appointments (clinic_id, date);
create index idx_schedule_appointments_slot_id on public.schedule_appointments (slot_id) where deleted_at is null;

grant select, insert, update, delete on public.schedule_slots, public.schedule_appointments to service_role;
grant select on public.schedule_slots, public.schedule_appointments to authenticated;
create policy schedule_slots_service_role_all on public.schedule_slots for all to service_role using (true) with check (true);
create policy schedule_slots_admin_read on public.schedule_slots for select to authenticated using (public.is_admin());
create policy schedule_appointments_service_role_all on public.schedule_appointments
  for all to service_role using (true) with check (true);
create policy schedule_appointments_admin_read on public.schedule_appointments
  for select to authenticated using (public.is_admin());

-- Recounts booked_count for a clinic's slots between two local dates (inclusive) from the linked
-- appointments that are not soft-deleted. Only slots whose count changes are written.
-- Returns the number of slots updated.
create or replace function public.update_slot_counts_bulk(p_clinic_id uuid, p_start_date date, p_end_date date)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_updated integer;
begin
  with counts as (
    select s.id, count(a.id)::int as booked
    from public.schedule_slots s
    left join public.schedule_appointments a
      on a.slot_id = s.id and a.deleted_at is null
    where s.clinic_id = p_clinic_id and s.date between p_start_date and p_end_date
    group by s.id
  )
  update public.schedule_slots s
     set booked_count = counts.booked
    from counts
   where s.id = counts.id and s.booked_count is distinct from counts.booked;
  get diagnostics v_updated = row_count;
  return v_updated;
end;
$$;
revoke all on function public.update_slot_counts_bulk(uuid, date, date) from public;
grant execute on function public.update_slot_counts_bulk(uuid, date, date) to service_role;
