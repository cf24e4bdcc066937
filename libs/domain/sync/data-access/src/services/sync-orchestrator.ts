import type { Pool } from '@pims/db';
import type { PimsProvider, PimsRegistry } from '@pims/pims';
import { AppError, describeError, isAppError, noopLogger, systemClock, todayIn, type Clock, type Logger } from '@pims/util';
import { PHASE_LABEL, phasesFor, type PhaseName, type SyncAudit, type SyncPhase, type SyncType, type TriggeredBy } from '@pims/sync-contracts';
import { AuditsRepository, type AuditCounters } from '../repositories/audits.repository';
import { CasesRepository } from '../repositories/cases.repository';
import { ClinicsRepository, type ClinicRecord } from '../repositories/clinics.repository';
import { ScheduleRepository } from '../repositories/schedule.repository';
import { runBackwardInbound } from '../phases/backward-inbound.phase';
import { runCaseEnrichment } from '../phases/case-enrichment.phase';
import { runForwardInbound } from '../phases/forward-inbound.phase';
import { runReconciliation } from '../phases/reconciliation.phase';
import { acquireClinicLock } from './clinic-lock';
import { PimsSessionPool } from './pims-session-pool';
import { SyncContext, type PhaseOutcome, type ResolvedSyncOptions } from './sync-context';


const PHASE_RUNNERS: Record<PhaseName, (ctx: SyncContext) => Promise<PhaseOutcome>> = {
  backward_inbound: runBackwardInbound,
  case_enrichment: runCaseEnrichment,
  forward_inbound: runForwardInbound,
  reconciliation: runReconciliation,
};

/** The phases a sync runs, in order (one definition, shared with the dashboard). */
export { phasesFor };

export interface SyncRequestOptions {
  bidirectional?: boolean;
  backwardDays?: number;
  forwardDays?: number;
  reconciliationDays?: number;
  /** Alias of reconciliationDays used by the reconcile route. */
  lookbackDays?: number;
  allowMassDelete?: boolean;
  parallelBatchSize?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (audit: { phase: PhaseName | null; progressPercentage: number; processedItems: number; totalItems: number }) => void;
}

export interface SyncOrchestratorDeps {
  pool: Pool;
  /** The PIMS providers the app registered; each clinic is synced by the one its pims_provider names. */
  registry: PimsRegistry;
  credentialsKey: Buffer;
  clock?: Clock;
  logger?: Logger;
  /** Minimum time between progress writes to the audit row (default 1000 ms). */
  progressIntervalMs?: number;
  /** How long a clinic's logged-in PIMS session is kept for its next sync (default 5 min; 0 = never). */
  sessionIdleMs?: number;
  /** The pool of logged-in sessions, when the app shares it (with write-back); else one of its own (sessionIdleMs). */
  sessions?: PimsSessionPool;
  /**
   * The repositories the app built at its composition root; the orchestrator uses these instead of
   * making its own (each one left out is made on `pool`, as tests and tools do).
   */
  repositories?: Partial<SyncOrchestratorRepositories>;
}

export interface SyncOrchestratorRepositories {
  audits: AuditsRepository;
  clinics: ClinicsRepository;
  cases: CasesRepository;
  schedule: ScheduleRepository;
}

/**
 * Runs syncs of one clinic against its PIMS: backward inbound, case enrichment, forward inbound and
 * reconciliation (CONTRACT section 3). Phases are independent: a failing phase is recorded and the
 * next ones still run. The audit row moves queued -> in_progress -> final with guarded updates.
 */
export class SyncOrchestrator {
  readonly audits: AuditsRepository;
  readonly clinics: ClinicsRepository;
  readonly cases: CasesRepository;
  readonly schedule: ScheduleRepository;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly sessions: PimsSessionPool;

  constructor(private readonly deps: SyncOrchestratorDeps) {
    const given = deps.repositories ?? {};
    this.audits = given.audits ?? new AuditsRepository(deps.pool);
    this.clinics = given.clinics ?? new ClinicsRepository(deps.pool, deps.credentialsKey);
    this.cases = given.cases ?? new CasesRepository(deps.pool);
    this.schedule = given.schedule ?? new ScheduleRepository(deps.pool);
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? noopLogger;
    this.sessions = deps.sessions ?? new PimsSessionPool({ idleMs: deps.sessionIdleMs });
  }

  /** Closes the PIMS sessions kept for later syncs (call before closing the provider). */
  async close(): Promise<void> {
    await this.sessions.closeAll();
  }

  /** Queues and runs a full sync now (the four phases, or the older sequence when bidirectional is false). */
  async runBidirectionalSync(options: SyncRequestOptions & { clinicId: string; triggeredBy?: TriggeredBy; requestedBy?: string } & RunOptions): Promise<SyncAudit> {
    return this.queueAndRun('full', options);
  }

  /** Forward inbound only (schedule). */
  async runInboundSync(options: { clinicId: string; forwardDays?: number; allowMassDelete?: boolean; triggeredBy?: TriggeredBy } & RunOptions): Promise<SyncAudit> {
    return this.queueAndRun('inbound', options);
  }

  /** Case enrichment only. */
  async runCaseSync(options: { clinicId: string; backwardDays?: number; parallelBatchSize?: number; triggeredBy?: TriggeredBy } & RunOptions): Promise<SyncAudit> {
    return this.queueAndRun('cases', options);
  }

  /** Reconciliation only. */
  async runReconciliation(options: { clinicId: string; reconciliationDays?: number; allowMassDelete?: boolean; triggeredBy?: TriggeredBy } & RunOptions): Promise<SyncAudit> {
    return this.queueAndRun('reconciliation', options);
  }

  private async queueAndRun(
    syncType: SyncType,
    o: SyncRequestOptions & { clinicId: string; triggeredBy?: TriggeredBy; requestedBy?: string } & RunOptions,
  ): Promise<SyncAudit> {
    const { clinicId, triggeredBy, requestedBy, signal, onProgress, ...options } = o;
    const audit = await this.audits.createQueued({
      clinicId,
      syncType,
      options: stripUndefined(options),
      triggeredBy: triggeredBy ?? 'api',
      requestedBy,
    });
    return this.runQueuedSync(audit.id, { signal, onProgress });
  }

  /**
   * Runs a queued sync to its end and returns the final audit. Throws sync_not_found,
   * sync_not_queued (already taken or finished), or sync_in_progress (retryable) when another
   * process holds the clinic's lock. Failures of the PIMS or of a phase end in the audit, not in a throw.
   */
  async runQueuedSync(syncId: string, opts: RunOptions = {}): Promise<SyncAudit> {
    const audit = await this.audits.findById(syncId);
    if (!audit) throw new AppError('sync_not_found', 'No sync with this id', { status: 404 });
    if (audit.status !== 'queued') {
      throw new AppError('sync_not_queued', `The sync is ${audit.status}, not queued`, { status: 409, details: { status: audit.status } });
    }
    const lock = await acquireClinicLock(this.deps.pool, audit.clinicId);
    try {
      return await this.run(audit, opts);
    } finally {
      await lock.release();
    }
  }

  private async run(audit: SyncAudit, opts: RunOptions): Promise<SyncAudit> {
    const log = this.logger.child({ syncId: audit.id, clinicId: audit.clinicId, syncType: audit.syncType });
    const requested = audit.options as SyncRequestOptions;
    const names = phasesFor(audit.syncType, requested.bidirectional ?? true);
    const phases: SyncPhase[] = names.map((name) => ({ name, status: 'pending', startedAt: null, completedAt: null, stats: {}, error: null }));
    const started = await this.audits.markStarted(audit.id, phases);
    if (!started) {
      const now = await this.audits.findById(audit.id);
      log.info({ status: now?.status }, 'sync was no longer queued; not running it');
      return now!;
    }
    const counters: AuditCounters = { appointmentsFound: 0, casesCreated: 0, casesUpdated: 0, casesDeleted: 0, totalItems: 0, processedItems: 0, progressPercentage: 0 };
    const clinic = await this.clinics.findById(audit.clinicId);
    if (!clinic) {
      return (await this.audits.finish(audit.id, { status: 'failed', phases, counters, error: { code: 'clinic_not_found', message: 'The clinic no longer exists' } }))!;
    }
    let provider: PimsProvider;
    try {
      provider = this.deps.registry.get(clinic.pimsProvider);
    } catch (err) {
      log.warn({ pimsProvider: clinic.pimsProvider, err: describeError(err) }, 'no PIMS provider for the clinic');
      return (await this.audits.finish(audit.id, { status: 'failed', phases, counters, error: describeError(err) }))!;
    }
    const options = resolveOptions(requested, clinic);
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) abort.abort();

    // Progress: phase fraction of equal-weight phases, written at most once per interval.
    let current: PhaseName | null = null;
    let phaseTotal = 0;
    let phaseDone = 0;
    let doneBefore = 0;
    let lastWrite = 0;
    const interval = this.deps.progressIntervalMs ?? 1000;
    const percent = () => {
      const idx = current ? names.indexOf(current) : names.length;
      const frac = phaseTotal > 0 ? Math.min(1, phaseDone / phaseTotal) : 0;
      return Math.min(99, Math.floor(((idx + frac) / names.length) * 100));
    };
    const flush = async (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastWrite < interval) return;
      lastWrite = now;
      counters.totalItems = doneBefore + phaseTotal;
      counters.processedItems = doneBefore + phaseDone;
      counters.progressPercentage = percent();
      opts.onProgress?.({ phase: current, progressPercentage: counters.progressPercentage, processedItems: counters.processedItems, totalItems: counters.totalItems });
      const r = await this.audits.recordProgress(audit.id, { currentPhase: current, phases, counters });
      if (!r || r.cancelRequested) abort.abort();
    };
    let writing = Promise.resolve();
    const progress = {
      setTotal: (n: number) => {
        phaseTotal = n;
        phaseDone = 0;
      },
      advance: (n = 1) => {
        phaseDone += n;
        writing = writing.then(() => flush(false)).catch(() => undefined);
      },
    };

    const ctx = new SyncContext(
      audit.id,
      clinic,
      todayIn(clinic.timezone, this.clock),
      options,
      abort.signal,
      { pool: this.deps.pool, provider, sessions: this.sessions, clinics: this.clinics, cases: this.cases, schedule: this.schedule, clock: this.clock, logger: log },
      progress,
    );
    log.info({ phases: names, today: ctx.today, options }, 'sync started');
    let cancelled = false;
    try {
      for (const phase of phases) {
        if (abort.signal.aborted || (await this.audits.isCancelRequested(audit.id))) {
          cancelled = true;
          phase.status = 'skipped';
          continue;
        }
        current = phase.name;
        phase.status = 'running';
        phase.startedAt = this.clock.now().toISOString();
        progress.setTotal(0);
        await flush(true);
        try {
          const outcome = await PHASE_RUNNERS[phase.name](ctx);
          phase.status = outcome.status;
          phase.stats = outcome.stats;
          phase.error = outcome.note ?? null;
          accumulate(counters, phase.name, outcome.stats, names);
          log.info({ phase: phase.name, status: outcome.status, stats: outcome.stats }, 'phase finished');
        } catch (err) {
          if (abort.signal.aborted) {
            cancelled = true;
            phase.status = 'cancelled';
            phase.error = { code: 'cancelled', message: 'Cancelled during this phase' };
          } else {
            phase.status = 'failed';
            phase.error = describeError(err);
            const partialStats = isAppError(err) ? (err.details?.stats as Record<string, number> | undefined) : undefined;
            if (partialStats) phase.stats = partialStats;
            log.warn({ phase: phase.name, error: phase.error }, 'phase failed');
          }
        }
        phase.completedAt = this.clock.now().toISOString();
        doneBefore += phaseTotal;
        phaseTotal = 0;
        phaseDone = 0;
      }
      await writing;
      current = null;
      // A cancel that arrived during the last phase, after its last safe point, still ends the sync cancelled.
      if (!cancelled && (abort.signal.aborted || (await this.audits.isCancelRequested(audit.id)))) cancelled = true;
      const unreadable = ctx.unreadableRecords();
      const status = finalStatus(phases, cancelled, unreadable);
      counters.totalItems = doneBefore;
      counters.processedItems = doneBefore;
      counters.progressPercentage = status === 'cancelled' ? percentDone(phases) : 100;
      const result = await this.audits.finish(audit.id, { status, phases, counters, error: summarizeErrors(phases, status, unreadable) });
      log.info({ status, counters, unreadableRecords: unreadable }, 'sync finished');
      return result ?? (await this.audits.findById(audit.id))!;
    } catch (err) {
      // Infrastructure failure (e.g. the database): try to end the audit, then report.
      log.error({ err: describeError(err) }, 'sync aborted by an internal error');
      await this.audits
        .finish(audit.id, { status: 'failed', phases, counters, error: { code: 'internal_error', message: 'The sync stopped on an internal error' } })
        .catch(() => undefined);
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      await ctx.close(phases.some((p) => p.status === 'failed' && p.error?.code.startsWith('pims_')) || abort.signal.aborted);
    }
  }
}

function resolveOptions(o: SyncRequestOptions, clinic: ClinicRecord): ResolvedSyncOptions {
  return {
    bidirectional: o.bidirectional ?? true,
    backwardDays: o.backwardDays ?? clinic.schedule?.backwardSyncDays ?? 14,
    forwardDays: o.forwardDays ?? clinic.schedule?.forwardSyncDays ?? 14,
    reconciliationDays: o.reconciliationDays ?? o.lookbackDays ?? clinic.schedule?.reconciliationDays ?? 7,
    allowMassDelete: o.allowMassDelete ?? false,
    parallelBatchSize: o.parallelBatchSize ?? 5,
  };
}

function accumulate(c: AuditCounters, phase: PhaseName, s: Record<string, number>, all: PhaseName[]) {
  const inbound = all.includes('backward_inbound') || all.includes('forward_inbound');
  if (phase === 'backward_inbound' || phase === 'forward_inbound') c.appointmentsFound += s.appointmentsFound ?? 0;
  // A reconciliation-only sync reports the visits it compared against.
  if (phase === 'reconciliation' && !inbound) c.appointmentsFound += s.appointmentsFound ?? 0;
  if (phase === 'backward_inbound') {
    c.casesCreated += s.casesCreated ?? 0;
    c.casesUpdated += s.casesUpdated ?? 0;
  }
  if (phase === 'case_enrichment') c.casesUpdated += s.written ?? 0;
  if (phase === 'reconciliation') {
    c.casesDeleted += s.casesDeleted ?? 0;
    c.casesUpdated += (s.statusesUpdated ?? 0) + (s.casesRestored ?? 0) + (s.casesMoved ?? 0);
  }
}

/**
 * The sync's status: cancelled when a cancel was requested before it ended; completed when all
 * phases ran clean; partial when some failed or were held, or when the PIMS sent records the
 * product could not read (`unreadable`, distinct records); failed when none succeeded.
 */
export function finalStatus(phases: SyncPhase[], cancelled: boolean, unreadable = 0): 'completed' | 'partial' | 'failed' | 'cancelled' {
  if (cancelled) return 'cancelled';
  const ran = phases.filter((p) => p.status !== 'skipped');
  if (ran.length > 0 && ran.every((p) => p.status === 'failed')) return 'failed';
  if (ran.some((p) => p.status === 'failed' || p.status === 'held') || unreadable > 0) return 'partial';
  return 'completed';
}

/** The sync's message about the records the PIMS sent that could not be read. */
export function unreadableMessage(n: number): string {
  return `${n} record${n === 1 ? '' : 's'} from the PIMS could not be read (see the phases' skippedRecords); none of them was deleted`;
}

function percentDone(phases: SyncPhase[]): number {
  const done = phases.filter((p) => p.status === 'completed' || p.status === 'held' || p.status === 'failed').length;
  return Math.floor((done / phases.length) * 100);
}

function summarizeErrors(phases: SyncPhase[], status: string, unreadable: number): { code: string; message: string } | null {
  if (status === 'cancelled') return { code: 'cancelled', message: 'Cancelled by request' };
  const bad = phases.filter((p) => (p.status === 'failed' || p.status === 'held') && p.error);
  const parts = bad.map((p) => `${PHASE_LABEL[p.name]} ${p.status === 'held' ? 'held' : 'failed'}: ${p.error!.message}`);
  if (unreadable > 0) parts.unshift(unreadableMessage(unreadable));
  if (parts.length === 0) return null;
  return { code: bad[0]?.error!.code ?? 'pims_records_unreadable', message: parts.join('; ').slice(0, 1000) };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
