import type { Pool } from '@pims/db';
import type { AppointmentsResult, PimsProvider, PimsSession } from '@pims/pims';
import { AppError, type Clock, type Logger, addDays, instantOfLocal } from '@pims/util';
import type { ClinicRecord, ClinicsRepository } from '../repositories/clinics.repository';
import type { CasesRepository } from '../repositories/cases.repository';
import type { ScheduleRepository } from '../repositories/schedule.repository';
import type { PimsSessionPool } from './pims-session-pool';

export interface ResolvedSyncOptions {
  bidirectional: boolean;
  backwardDays: number;
  forwardDays: number;
  reconciliationDays: number;
  allowMassDelete: boolean;
  parallelBatchSize: number;
}

/** Items of the running phase, for progress. */
export interface PhaseProgress {
  setTotal(total: number): void;
  advance(n?: number): void;
}

export interface PhaseOutcome {
  status: 'completed' | 'held';
  stats: Record<string, number>;
  /** Shown as the phase's error when held. */
  note?: { code: string; message: string };
}

/** Everything a phase needs for one sync of one clinic. */
export class SyncContext {
  private session: Promise<PimsSession> | null = null;
  private readonly fetched: { from: string; to: string; result: AppointmentsResult }[] = [];
  /** Unreadable records seen by this sync: the distinct ids, and those without one (per calendar read). */
  private readonly unreadableIds = new Set<string>();
  private unreadableWithoutId = 0;

  constructor(
    readonly syncId: string,
    readonly clinic: ClinicRecord,
    readonly today: string,
    readonly options: ResolvedSyncOptions,
    readonly signal: AbortSignal,
    readonly deps: {
      pool: Pool;
      /** The clinic's PIMS provider (chosen from the registry by clinics.pims_provider). */
      provider: PimsProvider;
      sessions: PimsSessionPool;
      clinics: ClinicsRepository;
      cases: CasesRepository;
      schedule: ScheduleRepository;
      clock: Clock;
      logger: Logger;
    },
    readonly progress: PhaseProgress,
  ) {}

  get timezone(): string {
    return this.clinic.timezone;
  }

  /** cases.source of this clinic's cases: the name of its PIMS provider. */
  get source(): string {
    return this.deps.provider.name;
  }

  /** The instant the local day `date` starts, in the clinic's zone. */
  startOfDay(date: string): Date {
    return instantOfLocal(date, '00:00', this.timezone) ?? instantOfLocal(date, '01:00', this.timezone)!;
  }

  /** [start of from, start of the day after to): a window of whole local days as instants. */
  instantWindow(from: string, to: string): { from: Date; to: Date } {
    return { from: this.startOfDay(from), to: this.startOfDay(addDays(to, 1)) };
  }

  throwIfCancelled(): void {
    if (this.signal.aborted) throw new AppError('sync_cancelled', 'The sync was cancelled');
  }

  /** One logged-in PIMS session per sync, shared by its phases; a failed login is not retried. */
  pims(): Promise<PimsSession> {
    if (!this.session) {
      this.session = (async () => {
        const creds = await this.deps.clinics.getCredentials(this.clinic.id);
        if (!creds) throw new AppError('clinic_not_found', 'The clinic no longer exists');
        return this.deps.sessions.acquire(this.deps.provider, this.clinic.id, creds, { timezone: this.timezone, signal: this.signal });
      })();
      this.session.catch(() => undefined);
    }
    return this.session;
  }

  /**
   * Appointments whose local start date is in [from, to], fetched once per sync: a later phase
   * whose window lies inside an earlier fetch reuses it.
   */
  async appointments(from: string, to: string): Promise<AppointmentsResult> {
    const cover = this.fetched.find((f) => f.from <= from && f.to >= to);
    if (cover) {
      // An unreadable record has no date to place it by: it stays with every window the read covers.
      const appointments = cover.result.appointments.filter((a) => a.date >= from && a.date <= to);
      return { ...cover.result, appointments };
    }
    const session = await this.pims();
    const result = await session.getAppointments(from, to, { signal: this.signal });
    this.fetched.push({ from, to, result });
    const { withId, withoutId } = unreadableOf(result);
    for (const id of withId) this.unreadableIds.add(id);
    this.unreadableWithoutId += withoutId;
    return result;
  }

  /**
   * How many distinct records of the PIMS this sync could not read: each id once however many
   * phases saw it, plus those without an id (which cannot be told apart, so counted per read).
   */
  unreadableRecords(): number {
    return this.unreadableIds.size + this.unreadableWithoutId;
  }

  /** Hands the PIMS session back to the pool (closed instead when `discard`, e.g. after PIMS errors). */
  async close(discard = false): Promise<void> {
    if (!this.session) return;
    try {
      await this.deps.sessions.release(this.clinic.id, await this.session, discard);
    } catch {
      // a session that never opened has nothing to close
    }
  }
}

/** The unreadable records of a calendar read: the ids known, and how many had none. */
export function unreadableOf(r: AppointmentsResult): { withId: string[]; withoutId: number } {
  const withId = [...new Set(r.skippedIds ?? [])];
  return { withId, withoutId: Math.max(0, r.skipped - withId.length) };
}
