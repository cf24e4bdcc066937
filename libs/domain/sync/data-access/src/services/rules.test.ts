import { describe, expect, it } from 'vitest';
import type { SyncPhase } from '@pims/sync-contracts';
import { caseStatusFor, holdsSlot } from './status-mapping';
import { finalStatus, phasesFor } from './sync-orchestrator';
import { isMassDelete } from '../phases/reconciliation.phase';
import { needsConsultation } from '../phases/case-enrichment.phase';
import type { WindowCase } from '../repositories/cases.repository';

const phase = (status: SyncPhase['status']): SyncPhase => ({ name: 'reconciliation', status, startedAt: null, completedAt: null, stats: {}, error: null });

describe('domain rules (pure)', () => {
  it('maps PIMS statuses to case statuses (CONTRACT 3.1)', () => {
    expect(caseStatusFor('scheduled')).toBe('draft');
    expect(caseStatusFor('confirmed')).toBe('draft');
    expect(caseStatusFor('checked_in')).toBe('ongoing');
    expect(caseStatusFor('in_progress')).toBe('ongoing');
    expect(caseStatusFor('completed')).toBe('completed');
    expect(caseStatusFor('cancelled')).toBe('reviewed');
    expect(caseStatusFor('no_show')).toBe('reviewed');
    expect(holdsSlot('cancelled')).toBe(false);
    expect(holdsSlot('no_show')).toBe(false);
    expect(holdsSlot('confirmed')).toBe(true);
  });

  it('orders phases: bidirectional and the older sequence', () => {
    expect(phasesFor('full')).toEqual(['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']);
    expect(phasesFor('full', false)).toEqual(['forward_inbound', 'case_enrichment', 'reconciliation']);
    expect(phasesFor('inbound')).toEqual(['forward_inbound']);
  });

  it('derives the sync status from its phases (CONTRACT 3.5)', () => {
    expect(finalStatus([phase('completed'), phase('completed')], false)).toBe('completed');
    expect(finalStatus([phase('completed'), phase('failed')], false)).toBe('partial');
    expect(finalStatus([phase('completed'), phase('held')], false)).toBe('partial');
    expect(finalStatus([phase('failed'), phase('failed')], false)).toBe('failed');
    expect(finalStatus([phase('completed'), phase('skipped')], true)).toBe('cancelled');
  });

  it('holds mass deletes: at least 5 and more than 25% of live cases', () => {
    expect(isMassDelete(4, 4)).toBe(false);
    expect(isMassDelete(5, 20)).toBe(false); // exactly 25%
    expect(isMassDelete(5, 19)).toBe(true);
    expect(isMassDelete(6, 100)).toBe(false);
  });

  it('fetches a consultation only when new or changed in the PIMS', () => {
    const base: WindowCase = {
      id: 'c',
      externalId: 'A',
      status: 'completed',
      deletedAt: null,
      pimsStatus: 'completed',
      consultationId: 'K',
      appointmentUpdatedAt: '2026-11-20 10:00:00',
      consultationSourceUpdatedAt: null,
      hasConsultation: false,
      removedFromPims: false,
    };
    const tz = 'America/New_York';
    expect(needsConsultation(base, tz)).toBe(true);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 10:00:00' }, tz)).toBe(false);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 09:00:00' }, tz)).toBe(true);
    expect(needsConsultation({ ...base, consultationId: null }, tz)).toBe(false);
    expect(needsConsultation({ ...base, deletedAt: new Date() }, tz)).toBe(false);
  });

  it('compares last_updated_at as instants in the clinic zone, not as text', () => {
    const tz = 'America/New_York';
    const fetched = (appointmentUpdatedAt: string, consultationSourceUpdatedAt: string): WindowCase => ({
      id: 'c',
      externalId: 'A',
      status: 'completed',
      deletedAt: null,
      pimsStatus: 'completed',
      consultationId: 'K',
      appointmentUpdatedAt,
      consultationSourceUpdatedAt,
      hasConsultation: true,
      removedFromPims: false,
    });
    // 10:00 EST is 15:00Z, after 09:30-05:00 (14:30Z); as text ' ' sorts before 'T' and says the opposite.
    expect(needsConsultation(fetched('2026-11-20 10:00:00', '2026-11-20T09:30:00-05:00'), tz)).toBe(true);
    // 10:00-05:00 (15:00Z) is before 10:30 EST (15:30Z); as text 'T' sorts after ' '.
    expect(needsConsultation(fetched('2026-11-20T10:00:00-05:00', '2026-11-20 10:30:00'), tz)).toBe(false);
    // The same instant written two ways: not a change.
    expect(needsConsultation(fetched('2026-11-20T15:00:00Z', '2026-11-20 10:00:00'), tz)).toBe(false);
    // The zone decides: 10:00 local is 15:00Z in New York (after 21:00Z the day before), 20:00Z the day before in Kiritimati (UTC+14).
    expect(needsConsultation(fetched('2026-11-20 10:00:00', '2026-11-19T21:00:00Z'), tz)).toBe(true);
    expect(needsConsultation(fetched('2026-11-20 10:00:00', '2026-11-19T21:00:00Z'), 'Pacific/Kiritimati')).toBe(false);
  });
});
