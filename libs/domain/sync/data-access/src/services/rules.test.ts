import { describe, expect, it } from 'vitest';
import type { SyncPhase } from '@pims/sync-contracts';
import { caseStatusFor, holdsSlot } from './status-mapping';
import { finalStatus, phasesFor, unreadableMessage } from './sync-orchestrator';
import { decideDeletes } from './missing-appointments';
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
    // Records the PIMS sent that could not be read make a clean run partial (CONTRACT 3.9).
    expect(finalStatus([phase('completed'), phase('completed')], false, 4)).toBe('partial');
    expect(finalStatus([phase('failed'), phase('failed')], false, 4)).toBe('failed');
    expect(finalStatus([phase('completed')], true, 4)).toBe('cancelled');
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

  it('decides deletes: a record without an id or a mass delete holds the gone ones; failed lookups are always held', () => {
    const base = { gone: 0, failed: 0, firstError: null, live: 20, withoutId: 0, allowMassDelete: false, noun: 'live cases', howToApply: 'allow it' };
    expect(decideDeletes({ ...base, gone: 2 })).toEqual({ deleteGone: true, heldDeletes: 0 });
    expect(decideDeletes({ ...base, gone: 6 })).toMatchObject({ deleteGone: false, heldDeletes: 6, note: { code: 'mass_delete_held' } });
    expect(decideDeletes({ ...base, gone: 6, allowMassDelete: true })).toEqual({ deleteGone: true, heldDeletes: 0 });
    const noId = decideDeletes({ ...base, gone: 1, withoutId: 1, allowMassDelete: true });
    expect(noId).toMatchObject({ deleteGone: false, heldDeletes: 1, note: { code: 'unreadable_records_held' } });
    expect(noId.note!.message).toContain('1 record(s) without an id');
    expect(decideDeletes({ ...base, withoutId: 3 })).toEqual({ deleteGone: true, heldDeletes: 0 }); // nothing to hold
    const failed = decideDeletes({ ...base, gone: 1, failed: 2, firstError: { code: 'pims_unavailable', message: 'down' } });
    expect(failed).toMatchObject({ deleteGone: true, heldDeletes: 2, note: { code: 'lookup_failed' } });
    expect(failed.note!.message).toContain('pims_unavailable: down');
  });

  it('names the number of unreadable records in the sync message', () => {
    expect(unreadableMessage(4)).toMatch(/^4 records from the PIMS could not be read/);
    expect(unreadableMessage(1)).toMatch(/^1 record from the PIMS could not be read/);
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
      storedConsultationId: null,
      hasConsultation: false,
      consultationMissing: false,
      removedFromPims: false,
    };
    const tz = 'America/New_York';
    expect(needsConsultation(base, tz)).toBe(true);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 10:00:00' }, tz)).toBe(false);
    expect(needsConsultation({ ...base, hasConsultation: true, consultationSourceUpdatedAt: '2026-11-20 09:00:00' }, tz)).toBe(true);
    expect(needsConsultation({ ...base, consultationId: null }, tz)).toBe(false);
    expect(needsConsultation({ ...base, deletedAt: new Date() }, tz)).toBe(false);
    // The appointment now names another consultation.
    expect(needsConsultation({ ...base, hasConsultation: true, storedConsultationId: 'K-old', consultationSourceUpdatedAt: '2026-11-20 10:00:00' }, tz)).toBe(true);
  });

  it('asks for a consultation the PIMS did not find again only when its appointment changes', () => {
    const missing: WindowCase = {
      id: 'c',
      externalId: 'A',
      status: 'completed',
      deletedAt: null,
      pimsStatus: 'completed',
      consultationId: 'K',
      appointmentUpdatedAt: '2026-11-20 10:00:00',
      consultationSourceUpdatedAt: '2026-11-20 10:00:00',
      storedConsultationId: 'K',
      hasConsultation: true,
      consultationMissing: true,
      removedFromPims: false,
    };
    const tz = 'America/New_York';
    expect(needsConsultation(missing, tz)).toBe(false);
    expect(needsConsultation({ ...missing, appointmentUpdatedAt: '2026-11-21 08:00:00' }, tz)).toBe(true);
    // Recorded when the appointment had no last_updated_at: asked again once it has one, not before.
    expect(needsConsultation({ ...missing, appointmentUpdatedAt: null, consultationSourceUpdatedAt: null }, tz)).toBe(false);
    expect(needsConsultation({ ...missing, consultationSourceUpdatedAt: null }, tz)).toBe(true);
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
      storedConsultationId: 'K',
      hasConsultation: true,
      consultationMissing: false,
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
