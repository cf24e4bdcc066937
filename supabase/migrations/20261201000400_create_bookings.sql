-- Bookings: holds and confirmed appointments that callers (the booking API, the voice assistant, an
-- admin) place into the synced slots, before and after they reach the clinic's PIMS.
--
-- A hold is a row with status 'held' and hold_expires_at; it stops counting at that instant, with no
-- sweeper needed (one may set status 'expired' later, for tidiness only). Booking from a hold turns the
-- same row into 'confirmed', so a hold id is the booking id.

-- The Vapi assistant of a clinic: the voice tools find their clinic by it.
alter table public.clinics
  add column voice_assistant_id text
    constraint clinics_voice_assistant_id_key unique
    check (length(trim(voice_assistant_id)) between 1 and 200);
grant select (voice_assistant_id) on public.clinics to authenticated;

create table public.bookings (
  id uuid primary key default gen_random_uuid(),
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  -- A slot holding a live booking is never deleted: the forward sync retires it (capacity 0) instead,
  -- and a delete from anywhere else fails on bookings_live_has_slot below rather than dropping the
  -- booking out of every count. Past (cancelled, expired) bookings keep their date and time here.
  slot_id uuid references public.schedule_slots (id) on delete set null,
  status text not null check (status in ('held', 'confirmed', 'cancelled', 'expired')),
  -- The slot's instant and clinic-local calendar values, copied when the seat is taken or moved.
  starts_at timestamptz not null,
  date date not null,
  start_time time not null,
  end_time time not null,
  confirmation_number text check (confirmation_number ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$'),
  -- {firstName, lastName, phone (E.164), email?} and {name, species?, breed?}
  client jsonb check (client is null or jsonb_typeof(client) = 'object'),
  patient jsonb check (patient is null or jsonb_typeof(patient) = 'object'),
  reason text,
  source text not null default 'api' check (source in ('voice', 'api', 'admin')),
  hold_expires_at timestamptz,
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  -- A digest of the request that used idempotency_key: the same key with another request is refused.
  request_fingerprint text,
  write_back_status text check (write_back_status in ('pending', 'written', 'conflict', 'failed', 'needs_review')),
  pims_appointment_id text,
  write_back_error text,
  write_back_attempts int not null default 0 check (write_back_attempts >= 0),
  confirmed_at timestamptz,
  rescheduled_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bookings_clinic_id_confirmation_number_key unique (clinic_id, confirmation_number),
  constraint bookings_live_has_slot check (status not in ('held', 'confirmed') or slot_id is not null),
  constraint bookings_held_has_expiry check (status <> 'held' or hold_expires_at is not null),
  constraint bookings_confirmed_is_complete check (
    status <> 'confirmed'
    or (confirmation_number is not null and client is not null and patient is not null and reason is not null
        and write_back_status is not null and confirmed_at is not null)
  ),
  constraint bookings_cancelled_has_time check (status <> 'cancelled' or cancelled_at is not null)
);
alter table public.bookings enable row level security;
create trigger trg_bookings_updated_at before update on public.bookings
  for each row execute function public.set_updated_at();

-- The same idempotency key books once per clinic, decided by the database when requests race.
create unique index idx_bookings_clinic_id_idempotency_key on public.bookings (clinic_id, idempotency_key)
  where idempotency_key is not null;
-- One booking per PIMS appointment: the counting below links a booking to its appointment by this id.
create unique index idx_bookings_clinic_id_pims_appointment_id on public.bookings (clinic_id, pims_appointment_id)
  where pims_appointment_id is not null;
-- Per-slot counting of live holds and confirmed bookings.
create index idx_bookings_slot_id_status_hold_expires_at on public.bookings (slot_id, status, hold_expires_at);
-- Listing, newest first.
create index idx_bookings_clinic_id_created_at on public.bookings (clinic_id, created_at desc, id desc);
create index idx_bookings_created_at on public.bookings (created_at desc, id desc);

revoke all on public.bookings from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.bookings to service_role;
grant select on public.bookings to authenticated;
create policy bookings_service_role_all on public.bookings for all to service_role using (true) with check (true);
create policy bookings_admin_read on public.bookings for select to authenticated using (public.is_admin());

-- The one place where a slot's seats are counted, for availability, holds, booking and rescheduling
-- alike. taken = the slot's PIMS appointments (booked_count) that are not a booking's cancelled
-- appointment + its confirmed bookings whose PIMS appointment is not (yet) synced and linked to this
-- slot + its holds not expired at p_now; available = capacity - taken, never below 0.
--
-- A confirmed booking counts once: by itself until the forward sync links its PIMS appointment
-- (neo_appointment_id = pims_appointment_id) to the booking's slot, then through booked_count. The sync
-- writes the link and the recount in one transaction, so the switch is never seen half-made. A PIMS
-- appointment linked elsewhere (moved in the PIMS, or a booking rescheduled here whose old appointment
-- is not moved yet) leaves the booking counted in its own slot: the error is always one seat too many,
-- never one too few. A cancelled booking frees its seat at once, even while its PIMS appointment is
-- still live and counted in booked_count.
--
-- starts_at is the slot's UTC instant as the forward sync computed it from the clinic's calendar
-- (schedule_slots.start_at), so it always agrees with the slot's local date and time.
create or replace function public.slot_availability(p_clinic_id uuid, p_from date, p_to date, p_now timestamptz)
returns table (
  slot_id uuid, date date, start_time time, end_time time, starts_at timestamptz,
  capacity int, taken int, available int
)
language sql
stable
set search_path = ''
as $$
  select s.id, s.date, s.start_time, s.end_time, s.start_at, s.capacity, t.taken, greatest(s.capacity - t.taken, 0)
  from public.schedule_slots s
  cross join lateral (
    select (
      greatest(s.booked_count - (
        select count(*) from public.schedule_appointments a
        where a.slot_id = s.id and a.deleted_at is null
          and exists (
            select 1 from public.bookings c
            where c.clinic_id = s.clinic_id and c.pims_appointment_id = a.neo_appointment_id and c.status = 'cancelled'
          )
      ), 0)
      + (
        select count(*) from public.bookings b
        where b.slot_id = s.id
          and ((b.status = 'held' and b.hold_expires_at > p_now)
            or (b.status = 'confirmed' and not exists (
              select 1 from public.schedule_appointments a
              where a.clinic_id = b.clinic_id and a.neo_appointment_id = b.pims_appointment_id
                and a.slot_id = b.slot_id and a.deleted_at is null
            )))
      )
    )::int as taken
  ) t
  where s.clinic_id = p_clinic_id and s.date between p_from and p_to
$$;
revoke all on function public.slot_availability(uuid, date, date, timestamptz) from public, anon, authenticated;
grant execute on function public.slot_availability(uuid, date, date, timestamptz) to service_role;
