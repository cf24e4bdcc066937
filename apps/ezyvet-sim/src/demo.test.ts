import { describe, expect, it } from 'vitest';
import { parseScenario } from '@pims/sim-scenario';
import { demoScenario, HARBOUR_VETS, HARBOUR_VETS_CREDENTIALS } from './demo';

const NOW = '2026-11-20T02:00:00Z'; // Friday 15:00 in Auckland

describe('demo clinic', () => {
  it('Harbour Vets in Auckland: a few hundred generated appointments around today, the same for the same now', () => {
    const s = demoScenario({ now: NOW });
    expect(parseScenario(s).ok).toBe(true);
    const c = s.clinics[0];
    expect(c).toMatchObject({
      companyId: 'harbour-vets',
      name: 'Harbour Vets',
      timezone: 'Pacific/Auckland',
      password: HARBOUR_VETS.password,
    });
    expect(c.appointments.length).toBeGreaterThan(200);
    expect(c.consultations.length).toBeGreaterThan(100);
    expect(demoScenario({ now: NOW })).toEqual(s);
    expect(HARBOUR_VETS_CREDENTIALS).toEqual({
      partnerId: 'pims-sync-demo-partner',
      clientId: 'harbour-vets',
      clientSecret: HARBOUR_VETS.password,
    });
  });
});
