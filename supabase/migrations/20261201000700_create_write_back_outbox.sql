-- Write-back: every confirmed booking becomes one appointment in the clinic's PIMS, written in the
-- background. A booking change that needs a PIMS write (booked, cancelled, rescheduled, an admin's
-- retry) adds a row here in the change's own transaction, together with the queue job that delivers
-- it; a worker takes the booking's lease, writes, and marks the rows it settled processed in the same
-- transaction that records the booking's write-back status. A row is never deleted while unprocessed:
-- the recovery sweep sends a new job for one whose job was lost (a worker that died, a job the queue
-- gave up on).

create table public.write_back_outbox (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null references public.bookings (id) on delete cascade,
  clinic_id uuid not null references public.clinics (id) on delete cascade,
  -- create: the booking's appointment at its slot (a rescheduled booking's old one is cancelled);
  -- cancel: the cancelled booking's appointment cancelled in the PIMS.
  action text not null check (action in ('create', 'cancel')),
  -- The queue job that delivers the row: the row's own id at first, a new one when the sweep sends it again.
  job_id uuid not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz not null default now(),
  processed_at timestamptz,
  -- How the write-back that settled the row ended.
  outcome text check (outcome in ('written', 'conflict', 'needs_review', 'failed', 'dropped')),
  constraint write_back_outbox_processed_has_outcome check ((processed_at is null) = (outcome is null))
);
alter table public.write_back_outbox enable row level security;

-- A booking's open work, and the sweep's look for rows whose job was lost.
create index idx_write_back_outbox_booking_id on public.write_back_outbox (booking_id) where processed_at is null;
create index idx_write_back_outbox_sent_at on public.write_back_outbox (sent_at) where processed_at is null;

revoke all on public.write_back_outbox from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.write_back_outbox to service_role;
create policy write_back_outbox_service_role_all on public.write_back_outbox for all to service_role using (true) with check (true);

-- What the write-back found or made in the PIMS, kept so that a retry (after an error, a lost answer,
-- a dead worker) goes on from the last step instead of matching or creating again: the client and
-- patient it matched or created, and the appointment a reschedule replaces (cancelled before the new
-- one is booked; never set together with pims_appointment_id).
alter table public.bookings
  add column pims_client_id text check (length(pims_client_id) between 1 and 200),
  add column pims_patient_id text check (length(pims_patient_id) between 1 and 200),
  add column pims_replaced_appointment_id text check (length(pims_replaced_appointment_id) between 1 and 200);

-- Which appointment type, room and attending provider a booking written into the PIMS gets. Null:
-- taken from the PIMS's calendar set-up (the first appointment type whose length fits the slot, the
-- first room, the first provider).
alter table public.clinic_schedule_config
  add column write_appointment_type_id text check (length(trim(write_appointment_type_id)) between 1 and 200),
  add column write_room_id text check (length(trim(write_room_id)) between 1 and 200),
  add column write_provider_id text check (length(trim(write_provider_id)) between 1 and 200);
