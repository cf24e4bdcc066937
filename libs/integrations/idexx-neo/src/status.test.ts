import { describe, expect, it } from 'vitest';
import { knownNeoStatus, mapNeoStatus, normalizeStatusWord } from './status';

describe('mapNeoStatus', () => {
  it.each([
    ['not arrived', 'scheduled'],
    ['confirmed', 'confirmed'],
    ['arrived', 'checked_in'],
    ['in progress', 'in_progress'],
    ['ready to pay', 'completed'],
    ['finalized', 'completed'],
    ['no show', 'no_show'],
    ['cancelled', 'cancelled'],
  ])('maps the wire word %s to %s', (word, status) => {
    expect(mapNeoStatus(word)).toBe(status);
  });

  it.each([
    ['NOT_ARRIVED', 'scheduled'],
    ['Not Arrived', 'scheduled'],
    ['not_arrived', 'scheduled'],
    ['  in   progress ', 'in_progress'],
    ['IN_PROGRESS', 'in_progress'],
    ['Ready To Pay', 'completed'],
    ['ready_to_pay', 'completed'],
    ['No-Show', 'no_show'],
    ['NO_SHOW', 'no_show'],
    ['status-finalized', 'completed'],
    ['status-no-show', 'no_show'],
    ['Canceled', 'cancelled'],
    ['Finalised', 'completed'],
  ])('accepts the variant %s', (word, status) => {
    expect(mapNeoStatus(word)).toBe(status);
  });

  it('maps unknown and missing words to scheduled', () => {
    expect(mapNeoStatus('on the moon')).toBe('scheduled');
    expect(mapNeoStatus('')).toBe('scheduled');
    expect(mapNeoStatus(null)).toBe('scheduled');
    expect(mapNeoStatus(undefined)).toBe('scheduled');
    expect(knownNeoStatus('on the moon')).toBeNull();
  });

  it('reads a cancelled reason only when the word itself is unknown', () => {
    expect(mapNeoStatus('mystery', { cancelledReason: 'Owner called' })).toBe('cancelled');
    expect(mapNeoStatus(null, { cancelledReason: 'Owner called' })).toBe('cancelled');
    expect(mapNeoStatus('arrived', { cancelledReason: 'stale reason' })).toBe('checked_in');
    expect(mapNeoStatus('mystery', { cancelledReason: '  ' })).toBe('scheduled');
  });

  it('normalizes words', () => {
    expect(normalizeStatusWord(' Ready_To-Pay ')).toBe('ready to pay');
    expect(normalizeStatusWord('status-in-progress')).toBe('in progress');
  });
});
