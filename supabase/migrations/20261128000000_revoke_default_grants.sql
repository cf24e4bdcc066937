-- A Supabase project gives anon, authenticated and service_role every privilege on each new table,
-- sequence and function in public ("alter default privileges ... grant all"), and PostgreSQL lets
-- PUBLIC execute every new function. The grants of the earlier migrations are then wider than they
-- read: with a table-level select on clinics the column grant means nothing (an admin JWT could read
-- pims_credentials_encrypted), and anon could execute update_slot_counts_bulk. This migration takes
-- those implicit grants back, states the intended ones again, and stops the defaults from applying to
-- what later migrations create: each migration grants what it means to, and nothing more.
-- On a plain PostgreSQL (npm start, the tests) the grants were already these; little changes there.

-- Tables and sequences: nothing for anon; authenticated reads (rows filtered by RLS), never the
-- credentials column; service_role reads and writes. Revoking a table privilege also revokes the
-- column privileges of that table, so the column grant on clinics is made again.
revoke all on all tables in schema public from public, anon, authenticated, service_role;
revoke all on all sequences in schema public from public, anon, authenticated, service_role;

grant select, insert, update, delete on public.clinics, public.clinic_schedule_config, public.cases,
  public.schedule_slots, public.schedule_appointments, public.case_sync_audits to service_role;
grant select (id, name, timezone, pims_provider, pims_base_url, pims_company_id, created_at, updated_at)
  on public.clinics to authenticated;
grant select on public.clinic_schedule_config, public.cases, public.schedule_slots,
  public.schedule_appointments, public.case_sync_audits to authenticated;

-- Functions: no one but the owner, then what each role needs. is_admin() is called by the admin
-- read policies, which run with the privileges of the querying role. set_updated_at() needs no
-- grant: a trigger's function is not checked against the role whose statement fires it.
revoke all on all functions in schema public from public, anon, authenticated, service_role;
grant execute on function public.is_admin() to authenticated, service_role;
grant execute on function public.update_slot_counts_bulk(uuid, date, date) to service_role;

-- Future objects created by the role that runs the migrations get no implicit grants. (The
-- function default of PUBLIC is a global default: it can only be revoked without "in schema".)
alter default privileges in schema public revoke all on tables from public, anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from public, anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from public, anon, authenticated, service_role;
alter default privileges revoke execute on functions from public;
