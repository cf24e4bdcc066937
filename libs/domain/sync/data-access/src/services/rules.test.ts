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
    expect(needsConsultation(base)).toBe(true);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 10:00:00' })).toBe(false);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 09:00:00' })).toBe(true);
    expect(needsConsultation({ ...base, consultationId: null })).toBe(false);
    expect(needsConsultation({ ...base, deletedAt: new Date() })).toBe(false);
  });
});
