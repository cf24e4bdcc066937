import { describe, expect, it } from 'vitest';
import { CreateClinicInput, SyncHistoryQuery, TriggerFullSyncInput, TriggerReconcileInput } from './api';

const clinicId = '3f1c2a4e-8a1b-4c3d-9e2f-1a2b3c4d5e6f';

describe('API schemas', () => {
  it('fills the contract defaults of a full sync, leaving day counts to the clinic config', () => {
    expect(TriggerFullSyncInput.parse({ clinicId })).toEqual({
      clinicId,
      bidirectional: true,
      allowMassDelete: false,
      triggeredBy: 'api',
    });
    expect(TriggerFullSyncInput.parse({ clinicId, backwardDays: 90, forwardDays: 1 })).toMatchObject({ backwardDays: 90, forwardDays: 1 });
  });

  it.each([
    [{ clinicId, backwardDays: 0 }, 'backwardDays'],
    [{ clinicId, forwardDays: 91 }, 'forwardDays'],
    [{ clinicId, reconciliationDays: 31 }, 'reconciliationDays'],
    [{ clinicId, backwardDays: 1.5 }, 'backwardDays'],
    [{ clinicId: 'not-a-uuid' }, 'clinicId'],
    [{ clinicId, extra: 1 }, ''],
    [{ clinicId, triggeredBy: 'schedule' }, 'triggeredBy'],
  ])('rejects %j', (body, path) => {
    const r = TriggerFullSyncInput.safeParse(body);
    expect(r.success).toBe(false);
    if (path) expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('bounds reconciliation look-back to 30 days', () => {
    expect(TriggerReconcileInput.safeParse({ clinicId, lookbackDays: 30 }).success).toBe(true);
    expect(TriggerReconcileInput.safeParse({ clinicId, lookbackDays: 31 }).success).toBe(false);
  });

  it('validates a clinic: IANA zone, schedule hours, ISO weekdays', () => {
    const base = {
      name: 'Happy Paws',
      timezone: 'America/New_York',
      pims: { provider: 'idexx_neo', baseUrl: 'https://us.idexxneo.com', companyId: '8890', username: 'u', password: 'p' },
    };
    expect(CreateClinicInput.safeParse(base).success).toBe(true);
    expect(CreateClinicInput.safeParse({ ...base, timezone: 'Mars/Base' }).success).toBe(false);
    expect(CreateClinicInput.safeParse({ ...base, schedule: { daysOfWeek: [0] } }).success).toBe(false);
    expect(CreateClinicInput.safeParse({ ...base, schedule: { openTime: '18:00', closeTime: '08:00' } }).success).toBe(false);
    expect(CreateClinicInput.parse({ ...base, schedule: { closeTime: '24:00' } }).schedule).toMatchObject({ closeTime: '24:00', capacity: 2 });
  });

  it('parses history query strings', () => {
    expect(SyncHistoryQuery.parse({ limit: '5' })).toMatchObject({ limit: 5 });
    expect(SyncHistoryQuery.parse({})).toMatchObject({ limit: 20 });
    expect(SyncHistoryQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(SyncHistoryQuery.safeParse({ limit: 'x' }).success).toBe(false);
  });
});
