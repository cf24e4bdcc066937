import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { createPimsRegistry, type PimsProvider, type PimsRegistry, type PimsRequestObserver } from '@pims/pims';
import {
  AuditsRepository,
  BookingService,
  BookingsRepository,
  CasesRepository,
  ClinicsRepository,
  NightlySchedulesRepository,
  PimsSessionPool,
  ScheduleRepository,
  SyncOrchestrator,
  VapiToolCallsRepository,
  VoiceTools,
  WriteBackService,
} from '@pims/sync-data-access';
import type { Clock } from '@pims/util';
import { createApp, type HealthProbe } from './app';
import type { ServiceEnv } from './env';
import type { ServiceLogger } from './logger';
import { PimsSyncMetrics } from './metrics';
import { RUN_QUEUE } from './queue/boss';
import { NightlyDispatcher } from './queue/nightly-dispatcher';
import { Recovery } from './queue/recovery';
import { RunLeases } from './queue/run-lease';
import { SyncWorkers } from './queue/sync-worker';
import { createWriteBackQueue, WriteBackWorkers } from './queue/write-back-worker';
import { SyncService } from './services/sync-service';

/**
 * The composition root: the one place that builds pims-sync's services from the collaborators it is
 * given (a pool, a started pg-boss, the credentials key, a logger, the PIMS providers). main.ts
 * (through service.ts), the test harness and the benchmarks all build their services here; none of
 * them makes a repository or a service of its own.
 */

/**
 * Builds one PIMS provider of the process. Every factory gets the same request observer (the
 * process's metrics: pims_requests_total), so any provider passes it to its client.
 */
export type PimsProviderFactory = (deps: { observer: PimsRequestObserver; logger: ServiceLogger }) => PimsProvider;

/** The process's providers from their factories, each told of the metrics' request observer. */
export function createProviders(factories: PimsProviderFactory[], deps: { metrics: PimsSyncMetrics; logger: ServiceLogger }): PimsProvider[] {
  return factories.map((make) => make({ observer: deps.metrics.observePimsRequest, logger: deps.logger }));
}

/** The queue and scheduling settings (ServiceEnv.queue; tests give their own values). */
export type ServiceSettings = ServiceEnv['queue'];

export interface Repositories {
  audits: AuditsRepository;
  clinics: ClinicsRepository;
  cases: CasesRepository;
  schedule: ScheduleRepository;
  nightlySchedules: NightlySchedulesRepository;
  bookings: BookingsRepository;
  vapiToolCalls: VapiToolCallsRepository;
}

export function createRepositories(pool: pg.Pool, credentialsKey: Buffer): Repositories {
  return {
    audits: new AuditsRepository(pool),
    clinics: new ClinicsRepository(pool, credentialsKey),
    cases: new CasesRepository(pool),
    schedule: new ScheduleRepository(pool),
    nightlySchedules: new NightlySchedulesRepository(),
    bookings: new BookingsRepository(pool),
    vapiToolCalls: new VapiToolCallsRepository(pool),
  };
}

/** The sync engine on the given repositories, with a registry of the given PIMS providers. */
export function createOrchestrator(deps: {
  pool: pg.Pool;
  credentialsKey: Buffer;
  repositories: Repositories;
  providers: PimsProvider[];
  logger?: ServiceLogger;
  clock?: Clock;
  /** The logged-in sessions it shares with write-back (else a pool of its own). */
  sessions?: PimsSessionPool;
}): SyncOrchestrator {
  const { audits, clinics, cases, schedule } = deps.repositories;
  return new SyncOrchestrator({
    pool: deps.pool,
    registry: createPimsRegistry(deps.providers),
    credentialsKey: deps.credentialsKey,
    repositories: { audits, clinics, cases, schedule },
    logger: deps.logger,
    clock: deps.clock,
    sessions: deps.sessions,
  });
}

export interface Collaborators {
  pool: pg.Pool;
  /** Started (startBoss). */
  boss: PgBoss;
  credentialsKey: Buffer;
  logger: ServiceLogger;
  settings: ServiceSettings;
  /**
   * The PIMS providers of the process: the registry of `POST /api/clinics/:id/test-connection`, and
   * of the orchestrator and workers when `workers` is on. Without them, no orchestrator and no workers.
   */
  providers?: PimsProvider[];
  /** Build the orchestrator and the sync workers on the providers (default: when providers are given). */
  workers?: boolean;
  clock?: () => Date;
  /** The process's metrics (GET /metrics); else a registry of its own on `pool`. */
  metrics?: PimsSyncMetrics;
}

export interface Services {
  repositories: Repositories;
  syncs: SyncService;
  /** Availability, holds, bookings, cancel and reschedule (seats decided by the database). */
  bookings: BookingService;
  /** Bookings into the PIMS: the outbox hooks of BookingService, the admin's retry, the queue's deliveries. */
  writeBack: WriteBackService;
  /** The voice assistant's tools (Vapi tool calls) over the bookings. */
  voiceTools: VoiceTools;
  /** The process's PIMS providers by name (empty without providers). */
  registry: PimsRegistry;
  leases: RunLeases;
  recovery: Recovery;
  /** The nightly full syncs: run it (start/stop) in worker processes. */
  dispatcher: NightlyDispatcher;
  orchestrator: SyncOrchestrator | null;
  workers: SyncWorkers | null;
  /** The write-back queue's consumers (with the workers). */
  writeBackWorkers: WriteBackWorkers | null;
  health: HealthProbe;
  /** This process's metrics: every service above tells it what it did. */
  metrics: PimsSyncMetrics;
}

/** Every service of a pims-sync process, none started. */
export function createServices(c: Collaborators): Services {
  const { pool, boss, logger, settings: q } = c;
  const repositories = createRepositories(pool, c.credentialsKey);
  const { audits } = repositories;
  const metrics = c.metrics ?? new PimsSyncMetrics({ pool, logger: logger.child({ component: 'metrics' }) });
  const onRunEnded = metrics.runEnded;
  const syncs = new SyncService({ pool, boss, audits, logger, jobExpireSeconds: q.jobExpireSeconds, onRunEnded });
  const leases = new RunLeases(pool);
  const recovery = new Recovery({ audits, leases, syncs, logger, settings: { maxAttempts: q.maxAttempts, staleSeconds: q.staleSeconds, sweepSeconds: q.sweepSeconds }, onRunEnded });
  const dispatcher = new NightlyDispatcher({
    pool,
    syncs,
    schedules: repositories.nightlySchedules,
    logger: logger.child({ component: 'dispatcher' }),
    settings: { tickSeconds: q.dispatchTickSeconds, batchSize: q.dispatchBatchSize },
    clock: c.clock,
    onMissed: metrics.nightlyMissed,
  });
  const registry = createPimsRegistry(c.providers ?? []);
  // One pool of logged-in PIMS sessions for the syncs and the write-backs of this process.
  const sessions = new PimsSessionPool();
  const writeBack = new WriteBackService({
    pool,
    registry,
    clinics: repositories.clinics,
    queue: createWriteBackQueue(boss),
    sessions,
    bookings: repositories.bookings,
    logger: logger.child({ component: 'write-back' }),
    maxAttempts: q.writeBackMaxAttempts,
    onOutcome: metrics.writeBackOutcome,
  });
  const bookings = new BookingService({
    pool,
    repository: repositories.bookings,
    logger: logger.child({ component: 'bookings' }),
    clock: c.clock,
    hooks: writeBack.hooks,
    onEvent: metrics.bookingEvent,
  });
  const voiceTools = new VoiceTools({ bookings, repository: repositories.vapiToolCalls, logger: logger.child({ component: 'voice-tools' }), clock: c.clock });
  let orchestrator: SyncOrchestrator | null = null;
  let workers: SyncWorkers | null = null;
  let writeBackWorkers: WriteBackWorkers | null = null;
  if (c.providers && (c.workers ?? true)) {
    orchestrator = createOrchestrator({ pool, credentialsKey: c.credentialsKey, repositories, providers: c.providers, logger: logger.child({ component: 'orchestrator' }), sessions });
    writeBackWorkers = new WriteBackWorkers({
      boss,
      pool,
      writeBack,
      logger: logger.child({ component: 'write-back' }),
      settings: { concurrency: q.writeBackConcurrency, pollSeconds: q.writeBackPollSeconds, staleSeconds: q.staleSeconds, sweepSeconds: q.sweepSeconds },
    });
    workers = new SyncWorkers({
      boss,
      audits,
      leases,
      syncs,
      recovery,
      runner: orchestrator,
      logger,
      settings: { concurrency: q.workerConcurrency, pollSeconds: q.pollSeconds, maxAttempts: q.maxAttempts, retryDelaySeconds: q.retryDelaySeconds },
      onRunEnded,
    });
  }
  const health: HealthProbe = {
    database: async () => (await pool.query('select 1 as ok')).rows[0]?.ok === 1,
    queue: async () => ((await boss.getQueue(RUN_QUEUE)) ? 'ok' : 'error'),
  };
  return { repositories, syncs, bookings, writeBack, voiceTools, registry, leases, recovery, dispatcher, orchestrator, workers, writeBackWorkers, health, metrics };
}

/**
 * The HTTP app on the services; without vapiSecret, Vapi's tool calls answer 503
 * vapi_not_configured. GET /metrics takes metricsToken as a bearer token, or the API key.
 */
export function createHttpApp(services: Services, opts: { apiKey: string; logger: ServiceLogger; vapiSecret?: string; metricsToken?: string }) {
  return createApp({
    apiKey: opts.apiKey,
    logger: opts.logger,
    clinics: services.repositories.clinics,
    audits: services.repositories.audits,
    syncs: services.syncs,
    bookings: services.bookings,
    writeBack: services.writeBack,
    registry: services.registry,
    health: services.health,
    vapi: { tools: services.voiceTools, secret: opts.vapiSecret },
    metrics: { metrics: services.metrics, credentials: { token: opts.metricsToken, apiKey: opts.apiKey } },
  });
}
