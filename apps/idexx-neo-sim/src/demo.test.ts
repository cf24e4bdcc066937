import { describe, expect, it } from 'vitest';
import { demoScenario, DEMO_CLINIC } from './demo';

const NOW = '2026-11-20T15:00:00Z'; // Friday 10:00 in New York

describe('demo clinic', () => {
  it('the demo clinic: Happy Paws Veterinary, a few hundred appointments around today', () => {
    const s = demoScenario({ now: NOW });
    expect(s.clinics).toHaveLength(1);
    const c = s.clinics[0];
    expect(c).toMatchObject({
      companyId: '8890',
      name: 'Happy Paws Veterinary',
      username: 'frontdesk',
      password: 'Sim-Pass-2026!',
      timezone: 'America/New_York',
    });
    expect(DEMO_CLINIC.companyId).toBe('8890');
    expect(c.appointments.length).toBeGreaterThan(200);
    expect(c.appointments.length).toBeLessThan(800);
    expect(c.consultations.length).toBeGreaterThan(100);
    expect(demoScenario({ now: NOW })).toEqual(s);
  });
});
