import { describe, expect, it } from 'vitest';
import { knownEzyvetStatus, mapEzyvetStatus } from './status';

describe('ezyVet statuses', () => {
  it('normalizes the status names the simulator renders the Neo words into, as Neo normalizes those words (CONTRACT 5)', () => {
    const rendered: [neo: string, ezyvet: string, normalized: string][] = [
      ['not_arrived', 'Unconfirmed', 'scheduled'],
      ['confirmed', 'Confirmed', 'confirmed'],
      ['arrived', 'Arrived', 'checked_in'],
      ['in_progress', 'In Consult', 'in_progress'],
      ['ready_to_pay', 'Ready for Checkout', 'completed'],
      ['finalized', 'Departed', 'completed'],
      ['no_show', 'No Show', 'no_show'],
      ['cancelled', 'Cancelled', 'cancelled'],
    ];
    for (const [, name, normalized] of rendered) expect(mapEzyvetStatus(name)).toBe(normalized);
  });

  it('reads names in any case and with underscores or hyphens', () => {
    expect(mapEzyvetStatus('IN_CONSULT')).toBe('in_progress');
    expect(mapEzyvetStatus('no-show')).toBe('no_show');
    expect(mapEzyvetStatus('  checked   in ')).toBe('checked_in');
    expect(mapEzyvetStatus('Canceled')).toBe('cancelled');
  });

  it('takes an unknown name for scheduled, or cancelled when the appointment has a cancellation reason', () => {
    expect(knownEzyvetStatus('Waiting for lab')).toBeNull();
    expect(mapEzyvetStatus('Waiting for lab')).toBe('scheduled');
    expect(mapEzyvetStatus(null)).toBe('scheduled');
    expect(mapEzyvetStatus('Waiting for lab', { cancellationReason: 'Owner called' })).toBe('cancelled');
    expect(mapEzyvetStatus('Departed', { cancellationReason: 'Owner called' })).toBe('completed');
  });
});
