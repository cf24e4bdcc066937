import { describe, expect, it } from 'vitest';
import { label, OTHER } from './labels';
import { PimsSyncMetrics } from './metrics';
import { parseSamples, valueOf } from './testing/prom-text';

describe('metric label values: ids and enum words only', () => {
  it('keeps a known endpoint word of its provider; anything else is "other"', () => {
    expect(label.endpoint('idexx_neo', 'getCalendarEventData')).toBe('getCalendarEventData');
    expect(label.endpoint('ezyvet', 'appointment')).toBe('appointment');
    // A word of the other provider, a path, a name, a phone number, text with spaces or quotes.
    for (const bad of ['appointment', '/appointments/getCalendarEventData', 'Lopez', '+15551230000', 'get Calendar', 'x"}', '', null, 42]) {
      expect(label.endpoint('idexx_neo', bad), String(bad)).toBe(OTHER);
    }
    expect(label.endpoint('cornerstone', 'login')).toBe(OTHER);
    expect(label.provider('cornerstone')).toBe(OTHER);
  });

  it('keeps enum words and uuids; maps the rest to "other" (or, for a clinic id, leaves the series out)', () => {
    expect(label.syncType('full')).toBe('full');
    expect(label.syncType('Happy Paws')).toBe(OTHER);
    expect(label.runStatus('partial')).toBe('partial');
    expect(label.runStatus('in_progress')).toBe(OTHER);
    expect(label.bookingSource(null)).toBe('none');
    expect(label.bookingSource('voice')).toBe('voice');
    expect(label.bookingSource('Ana Lopez')).toBe(OTHER);
    expect(label.writeBackOutcome('needs_review')).toBe('needs_review');
    expect(label.writeBackOutcome('pending')).toBe(OTHER);
    expect(label.clinicId('7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(label.clinicId('Happy Paws Veterinary')).toBeNull();
  });

  it('a provider reporting text where a word belongs is counted under "other", never with that text', async () => {
    const metrics = new PimsSyncMetrics();
    metrics.observePimsRequest({ provider: 'idexx_neo', endpoint: 'searchClients/Ana Lopez +15551230000', outcome: 'ok', durationMs: 5 });
    metrics.observePimsRequest({ provider: 'idexx_neo', endpoint: 'searchClients', outcome: 'secret-token' as never, durationMs: -1 });
    const text = await metrics.render();
    expect(text).not.toMatch(/Lopez|5551230000|secret-token/);
    const samples = parseSamples(text);
    expect(valueOf(samples, 'pims_requests_total', { provider: 'idexx_neo', endpoint: 'other', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'pims_requests_total', { provider: 'idexx_neo', endpoint: 'searchClients', outcome: 'other' })).toBe(1);
    // A negative duration is not a duration: not observed.
    expect(valueOf(samples, 'pims_request_duration_seconds_count', { provider: 'idexx_neo', endpoint: 'searchClients' })).toBe(0);
  });
});
