-- Seed data for a local Supabase project. The demo clinic is registered by `npm start` through the
-- pims-sync API (its IDEXX Neo credentials must be encrypted with CREDENTIALS_KEY, which SQL cannot do),
-- so this file intentionally inserts nothing.
select 1;
