import { describe, expect, it } from 'vitest';
import { PHASE_NAMES, PHASE_STATUSES, SYNC_STATUSES, SYNC_TYPES } from './api';
import { PHASE_DESCRIPTION, PHASE_LABEL, PHASE_STATUS_LABEL, SYNC_STATUS_LABEL, SYNC_TYPE_DISPLAY_ORDER, SYNC_TYPE_LABEL, phasesFor } from './labels';

describe('labels and the phase plan', () => {
  it('names every sync type, status and phase the contract knows (the dashboard shows these words)', () => {
    expect(Object.keys(SYNC_TYPE_LABEL).sort()).toEqual([...SYNC_TYPES].sort());
    expect(Object.keys(SYNC_STATUS_LABEL).sort()).toEqual([...SYNC_STATUSES].sort());
    expect(Object.keys(PHASE_LABEL).sort()).toEqual([...PHASE_NAMES].sort());
    expect(Object.keys(PHASE_DESCRIPTION).sort()).toEqual([...PHASE_NAMES].sort());
    expect(Object.keys(PHASE_STATUS_LABEL).sort()).toEqual([...PHASE_STATUSES].sort());
    expect([...SYNC_TYPE_DISPLAY_ORDER].sort()).toEqual([...SYNC_TYPES].sort());
    expect(SYNC_TYPE_DISPLAY_ORDER[0]).toBe('full');
    expect(SYNC_TYPE_LABEL.full).toBe('Full Sync');
    expect(SYNC_STATUS_LABEL.in_progress).toBe('running');
    expect(PHASE_LABEL.case_enrichment).toBe('Case enrichment');
  });

  it('plans the phases of each sync type in order; a one-way full sync has no backward phase', () => {
    expect(phasesFor('full')).toEqual(['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']);
    expect(phasesFor('full', false)).toEqual(['forward_inbound', 'case_enrichment', 'reconciliation']);
    expect(phasesFor('inbound')).toEqual(['forward_inbound']);
    expect(phasesFor('cases')).toEqual(['case_enrichment']);
    expect(phasesFor('reconciliation', false)).toEqual(['reconciliation']);
  });
});
