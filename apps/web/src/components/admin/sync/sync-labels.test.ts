import { describe, expect, it } from 'vitest';
import { phaseProgressText, plannedPhases, syncErrorText, type SyncAuditView } from './sync-labels';

type Phase = SyncAuditView['phases'][number];
const phase = (name: Phase['name'], status: Phase['status'], extra: Partial<Phase> = {}): Phase =>
  ({ name, status, startedAt: null, completedAt: null, stats: {}, error: null, ...extra }) as Phase;

describe('dashboard texts built on the contract (phasesFor, PHASE_LABEL)', () => {
  it('plans the phases from the contract until the service has recorded them', () => {
    expect(plannedPhases({ syncType: 'full', options: {}, phases: [] })).toEqual(['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']);
    expect(plannedPhases({ syncType: 'full', options: { bidirectional: false }, phases: [] })).toEqual(['forward_inbound', 'case_enrichment', 'reconciliation']);
    expect(plannedPhases({ syncType: 'cases', options: {}, phases: [phase('case_enrichment', 'running'), phase('reconciliation', 'pending')] })).toEqual([
      'case_enrichment',
      'reconciliation',
    ]);
  });

  it('says which phase of how many runs, in the contract words', () => {
    const running = { syncType: 'full' as const, options: { bidirectional: false }, status: 'in_progress' as const, currentPhase: 'case_enrichment' as const, phases: [] };
    expect(phaseProgressText(running)).toBe('Phase 2 of 3: Case enrichment');
    expect(phaseProgressText({ ...running, currentPhase: null })).toBeNull();
  });

  it('names the failed or held phase in the Error column', () => {
    const failed = phase('forward_inbound', 'failed', { error: { code: 'pims_unavailable', message: 'IDEXX Neo did not answer' } });
    expect(syncErrorText({ errorMessage: null, status: 'partial', phases: [phase('backward_inbound', 'completed'), failed] })).toBe('Forward inbound: IDEXX Neo did not answer');
    expect(syncErrorText({ errorMessage: null, status: 'partial', phases: [phase('reconciliation', 'held', { stats: { heldDeletes: 9 } })] })).toBe(
      'Reconciliation held: 9 deletions need allowMassDelete',
    );
    expect(syncErrorText({ errorMessage: null, status: 'completed', phases: [failed] })).toBeNull();
  });
});
