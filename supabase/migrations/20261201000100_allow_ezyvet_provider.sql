-- A clinic's PIMS is one of the registered providers: IDEXX Neo, and now ezyVet (the port's
-- PIMS_PROVIDERS). cases.source carries the same names and has no check of its own.
alter table public.clinics drop constraint clinics_pims_provider_check;
alter table public.clinics add constraint clinics_pims_provider_check check (pims_provider in ('idexx_neo', 'ezyvet'));
