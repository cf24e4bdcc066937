-- The clinic settings API edits a clinic's sync windows: backward and forward days existed, the
-- reconciliation look-back joins them (a full sync without its own reconciliationDays uses it).
alter table public.clinic_schedule_config
  add column reconciliation_days int not null default 7 check (reconciliation_days between 1 and 30);
