import { describe, expect, it } from 'vitest';
import { CreateClinicInput, safeText, SyncCron, SyncHistoryQuery, TriggerFullSyncInput, TriggerReconcileInput } from './api';

const clinicId = '3f1c2a4e-8a1b-4c3d-9e2f-1a2b3c4d5e6f';
const clinic = (over: Record<string, unknown> = {}, pims: Record<string, unknown> = {}) => ({
  name: 'Happy Paws',
  timezone: 'America/New_York',
  pims: { provider: 'idexx_neo', baseUrl: 'http://127.0.0.1:3200', companyId: '8890', username: 'frontdesk', password: 'pw', ...pims },
  ...over,
});
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('safeText', () => {
  it.each(['\0', 'a\0b', '\x01', '\x1b[31m', '\x7f', '\x85', '\x9b', 'line\nbreak', 'tab\there', 'cr\r'])('refuses control characters: %j', (v) => {
    expect(safeText().safeParse(v).success).toBe(false);
  });

  it('accepts ordinary text of any script', () => {
    for (const v of ['Happy Paws Veterinary', 'Clínica Señor Perro', '動物病院', 'Dr. O’Brien 🐾', '', ' spaced ']) expect(safeText().parse(v)).toBe(v);
  });

  it('multiline keeps tab and line breaks but still refuses NUL and the other controls', () => {
    expect(safeText({ multiline: true }).parse('a\tb\r\nc')).toBe('a\tb\r\nc');
    for (const v of ['a\0', '\x07', '\x7f']) expect(safeText({ multiline: true }).safeParse(v).success).toBe(false);
  });
});

describe('string fields refuse NUL and control characters', () => {
  it('triggers: requestedBy', () => {
    expect(paths(TriggerFullSyncInput.safeParse({ clinicId, requestedBy: 'dr\0rivera' }))).toEqual(['requestedBy']);
    expect(paths(TriggerReconcileInput.safeParse({ clinicId, requestedBy: 'x\x08' }))).toEqual(['requestedBy']);
    expect(TriggerFullSyncInput.safeParse({ clinicId, requestedBy: 'dr.rivera@example.com' }).success).toBe(true);
  });

  it.each([
    ['name', clinic({ name: 'Happy\0Paws' })],
    ['timezone', clinic({ timezone: 'America/New_York\0' })],
    ['pims.baseUrl', clinic({}, { baseUrl: 'http://neo.example.com/\0' })],
    ['pims.companyId', clinic({}, { companyId: '88\x0090' })],
    ['pims.username', clinic({}, { username: 'front\0desk' })],
    ['pims.password', clinic({}, { password: 'pw\0' })],
    ['schedule.syncCron', clinic({ schedule: { syncCron: '0 2 * * *\0' } })],
  ])('clinic: %s', (path, body) => {
    expect(paths(CreateClinicInput.safeParse(body))).toContain(path);
  });

  it('history: cursor', () => {
    expect(paths(SyncHistoryQuery.safeParse({ cursor: 'abc\0' }))).toEqual(['cursor']);
  });

  it('a valid clinic still parses', () => {
    expect(CreateClinicInput.safeParse(clinic({ schedule: { syncCron: '30 3 * * 1-5' } })).success).toBe(true);
  });
});

describe('SyncCron: 5 fields, at most once an hour', () => {
  it.each(['0 2 * * *', '30 3 * * 1-5', '5 */6 * * *', '59 23 1 * *', ' 0 2 * * * '])('accepts %j', (v) => {
    expect(SyncCron.safeParse(v).success).toBe(true);
  });

  it.each([
    '* * * * *',
    '*/5 * * * *',
    '0,30 2 * * *',
    '0-10 2 * * *',
    '60 2 * * *',
    '0 0 2 * * *',
    '0 2 * *',
    '3f1c2a4e-8a1b-4c3d-9e2f-1a2b3c4d5e6f',
    'every night at two',
    '0 2 * * *\n0 3 * * *',
  ])('refuses %j', (v) => {
    expect(SyncCron.safeParse(v).success).toBe(false);
  });
});
