import { describe, expect, it } from 'vitest';
import { isAppError } from '@pims/util';
import { phoneRegionForTimeZone, requireE164, toE164 } from './phone';

describe('phones in E.164', () => {
  it("reads national notation in the clinic's country and takes international forms as given", () => {
    expect(toE164('(212) 555-0100', 'US')).toBe('+12125550100');
    expect(toE164('212.555.0100', 'US')).toBe('+12125550100');
    expect(toE164('+1 212 555 0100', 'GB')).toBe('+12125550100');
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(toE164('+442079460958')).toBe('+442079460958');
    expect(toE164('555-123-4567', 'US')).toBe('+15551234567'); // fictional but possible: demos use them
  });

  it('refuses what cannot be a phone number', () => {
    for (const bad of ['12', 'abc', 'call me on 212 555 0100', '+1 212', '', '1'.repeat(41)]) expect(toE164(bad, 'US'), bad).toBeNull();
    try {
      requireE164('12', 'US');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code === 'invalid_phone' && err.status === 400).toBe(true);
    }
  });

  it("derives the clinic's country from its time zone, US when the zone names none", () => {
    expect(phoneRegionForTimeZone('America/New_York')).toBe('US');
    expect(phoneRegionForTimeZone('Europe/London')).toBe('GB');
    expect(phoneRegionForTimeZone('Australia/Sydney')).toBe('AU');
    expect(phoneRegionForTimeZone('Pacific/Kiritimati')).toBe('KI');
    expect(phoneRegionForTimeZone('Etc/UTC')).toBe('US');
    expect(phoneRegionForTimeZone('Not/AZone')).toBe('US');
  });
});
