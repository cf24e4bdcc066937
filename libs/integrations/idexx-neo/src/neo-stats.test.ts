import { describe, expect, it } from 'vitest';
import type { PimsRequestEvent } from '@pims/pims';
import { NeoRequestStats, requestHook, toPimsRequestEvent, type NeoRequestEvent } from './neo-stats';

const event = (over: Partial<NeoRequestEvent>): NeoRequestEvent => ({
  endpoint: 'getCalendarEventData',
  path: '/appointments/getCalendarEventData',
  companyId: '8890',
  status: 200,
  outcome: 'ok',
  attempt: 1,
  durationMs: 12,
  ...over,
});

describe('Neo exchanges as the port request events (what the metrics count)', () => {
  it('keeps the endpoint word and the duration, names the provider, and maps each outcome', () => {
    expect(toPimsRequestEvent(event({}))).toEqual({ provider: 'idexx_neo', endpoint: 'getCalendarEventData', outcome: 'ok', durationMs: 12 });
    const outcome = (over: Partial<NeoRequestEvent>) => toPimsRequestEvent(event(over)).outcome;
    expect(outcome({ outcome: 'not_found', status: 404 })).toBe('not_found');
    expect(outcome({ outcome: 'retry', status: 429 })).toBe('rate_limited');
    expect(outcome({ outcome: 'failed', status: 429 })).toBe('rate_limited');
    expect(outcome({ outcome: 'retry', status: 502 })).toBe('error');
    expect(outcome({ outcome: 'retry', status: null, reason: 'timeout' })).toBe('error');
    expect(outcome({ outcome: 'expired', status: 302 })).toBe('error');
    expect(outcome({ outcome: 'csrf', status: 403 })).toBe('error');
    expect(outcome({ endpoint: 'login', outcome: 'auth_failed' })).toBe('auth_failed');
    expect(outcome({ endpoint: 'login', outcome: 'mfa_required' })).toBe('auth_failed');
  });

  it('the event carries neither the company id nor the path', () => {
    const e = toPimsRequestEvent(event({ path: '/clients/search/Lopez', companyId: '8890' }));
    expect(JSON.stringify(e)).not.toMatch(/8890|Lopez|clients/);
  });

  it('tells both the own hook and the observer; a throwing observer never breaks the session', () => {
    const own: NeoRequestEvent[] = [];
    const seen: PimsRequestEvent[] = [];
    const hook = requestHook((e) => own.push(e), (e) => seen.push(e))!;
    hook(event({ endpoint: 'login' }));
    expect(own.map((e) => e.endpoint)).toEqual(['login']);
    expect(seen.map((e) => e.endpoint)).toEqual(['login']);
    expect(requestHook(undefined, undefined)).toBeUndefined();

    const stats = new NeoRequestStats('8890', requestHook(undefined, () => {
      throw new Error('observer broke');
    }));
    expect(() => stats.emit({ endpoint: 'dashboard', path: '/dashboard', status: 200, outcome: 'ok', attempt: 1, durationMs: 3 })).not.toThrow();
    expect(stats.snapshot().byEndpoint.dashboard).toBe(1);
  });
});
