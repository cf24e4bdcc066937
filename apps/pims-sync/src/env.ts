import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseEncryptionKey } from '@pims/util';

/**
 * The only module that reads the environment. Parsed once at start-up; a missing or bad value stops
 * the service with a message that names the variable and says what to put in it.
 */

export const ROLES = ['api', 'worker', 'all'] as const;
/** Loopback only unless HOST / PIMS_SYNC_HOST says otherwise (e.g. 0.0.0.0 in a container). */
export const DEFAULT_HOST = '127.0.0.1';
export type Role = (typeof ROLES)[number];
/** Due clinics the nightly dispatcher handles in one transaction. */
export const DISPATCH_BATCH_SIZE = 200;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(dflt));

const EnvSchema = z.object({
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection string')),
  PIMS_SYNC_DATA_DIR: opt(z.string()),
  PIMS_SYNC_API_KEY: opt(z.string().min(16, 'must be at least 16 characters')),
  CREDENTIALS_KEY: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'is required: 32 random bytes as base64 or 64 hex characters (e.g. `openssl rand -base64 32`)' })
      .refine((v) => {
        try {
          parseEncryptionKey(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be 32 bytes given as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)'),
  ),
  PIMS_SYNC_PORT: int(0, 65535, 3100),
  /** The interface to listen on: PIMS_SYNC_HOST, else HOST (shared by the product's services), else loopback only. */
  PIMS_SYNC_HOST: opt(z.string().trim()),
  HOST: opt(z.string().trim()),
  PIMS_SYNC_ROLE: z.preprocess(blankToUndefined, z.enum(ROLES).default('all')),
  CHROMIUM_PATH: opt(z.string()),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info')),
  /** Syncs run at once by one worker process (each is a pg-boss worker with batchSize 1). */
  PIMS_SYNC_WORKER_CONCURRENCY: int(1, 32, 2),
  /** A sync job still active after this long is failed by pg-boss and delivered again (worker death backstop). */
  PIMS_SYNC_JOB_EXPIRE_SECONDS: int(10, 23 * 3600, 2 * 3600),
  /** How often pg-boss runs its maintenance (job expiry, archiving). */
  PIMS_SYNC_MAINTENANCE_SECONDS: int(1, 3600, 60),
  /** How often an idle worker polls for a sync job. */
  PIMS_SYNC_POLL_SECONDS: int(1, 60, 2),
  /**
   * How often an idle worker polls for a write-back job: a booking's lag to the PIMS starts with this
   * wait, so it is shorter than the sync poll (one indexed query per poll; pg-boss allows 0.5 s).
   */
  PIMS_SYNC_WRITE_BACK_POLL_SECONDS: z.preprocess(blankToUndefined, z.coerce.number().min(0.5).max(60).default(0.5)),
  /** How often the recovery sweep looks for running syncs whose worker is gone. */
  PIMS_SYNC_SWEEP_SECONDS: int(1, 3600, 30),
  /** A running sync whose heartbeat is older than this and whose worker holds no lease is lost. */
  PIMS_SYNC_STALE_SECONDS: int(5, 24 * 3600, 300),
  /** Attempts of one sync (the first run plus its retries and worker-lost recoveries). */
  PIMS_SYNC_MAX_ATTEMPTS: int(1, 10, 3),
  /** First retry delay after a transient failure; doubled at each attempt. */
  PIMS_SYNC_RETRY_DELAY_SECONDS: int(0, 3600, 30),
  /**
   * On SIGTERM, running syncs get this long to finish before they are stopped at a safe point and
   * queued again. 0 (the default) stops them at once: see the README (Graceful shutdown).
   */
  PIMS_SYNC_SHUTDOWN_GRACE_SECONDS: int(0, 600, 10),
  /** How often each worker process runs a nightly-dispatcher tick (one of them leads each tick). */
  PIMS_SYNC_DISPATCH_TICK_SECONDS: int(1, 3600, 60),
  /** Bookings one worker process writes into the PIMS at once (pg-boss workers of the write-back queue). */
  PIMS_SYNC_WRITE_BACK_CONCURRENCY: int(1, 64, 4),
  /** Attempts of one booking's write-back (retried with backoff from PIMS_SYNC_RETRY_DELAY_SECONDS) before it ends failed. */
  PIMS_SYNC_WRITE_BACK_MAX_ATTEMPTS: int(1, 30, 8),
  /** The voice assistant's shared secret (x-vapi-secret); unset, POST /api/vapi/tool-calls answers 503. */
  VAPI_SECRET: opt(z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)')),
  /** Prometheus's credential for GET /metrics (Authorization: Bearer); the API key is accepted too. */
  PIMS_SYNC_METRICS_TOKEN: opt(z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)')),
  /** A port of its own serving only GET /metrics (a worker process has no API to serve it on); unset: none. */
  PIMS_SYNC_METRICS_PORT: opt(z.coerce.number().int().min(0).max(65535)),
});

export interface ServiceEnv {
  databaseUrl?: string;
  dataDir: string;
  apiKey?: string;
  credentialsKey: Buffer;
  port: number;
  host: string;
  role: Role;
  chromiumPath?: string;
  logLevel: string;
  /** Vapi's tool calls are refused (503 vapi_not_configured) without it. */
  vapiSecret?: string;
  /** GET /metrics: its bearer token, and the port of a metrics-only listener (any role). */
  metrics: { token?: string; port?: number };
  queue: {
    workerConcurrency: number;
    jobExpireSeconds: number;
    maintenanceSeconds: number;
    pollSeconds: number;
    sweepSeconds: number;
    staleSeconds: number;
    maxAttempts: number;
    retryDelaySeconds: number;
    shutdownGraceSeconds: number;
    /** Nightly dispatcher: seconds between ticks, and due clinics handled per transaction. */
    dispatchTickSeconds: number;
    dispatchBatchSize: number;
    /** Write-back: bookings written at once per worker process, and attempts before failed. */
    writeBackConcurrency: number;
    writeBackPollSeconds: number;
    writeBackMaxAttempts: number;
  };
}

/** The repository root (the embedded database lives under its `.data/`). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`pims-sync cannot start, its environment is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parses the environment once. Throws EnvError listing every problem. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const parsed = EnvSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const rawRole = source.PIMS_SYNC_ROLE?.trim() || 'all';
  if (rawRole !== 'worker' && !source.PIMS_SYNC_API_KEY?.trim()) {
    problems.push(
      'PIMS_SYNC_API_KEY: is required to serve the API (clients send it as the x-api-key header); give a random string of 16+ characters, e.g. `openssl rand -hex 24`',
    );
  }
  if (!parsed.success || problems.length > 0) throw new EnvError(problems);
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.PIMS_SYNC_DATA_DIR ? path.resolve(e.PIMS_SYNC_DATA_DIR) : path.join(repoRoot(), '.data'),
    apiKey: e.PIMS_SYNC_API_KEY,
    credentialsKey: parseEncryptionKey(e.CREDENTIALS_KEY as string),
    port: e.PIMS_SYNC_PORT,
    host: e.PIMS_SYNC_HOST ?? e.HOST ?? DEFAULT_HOST,
    role: e.PIMS_SYNC_ROLE,
    chromiumPath: e.CHROMIUM_PATH,
    logLevel: e.LOG_LEVEL,
    vapiSecret: e.VAPI_SECRET,
    metrics: { token: e.PIMS_SYNC_METRICS_TOKEN, port: e.PIMS_SYNC_METRICS_PORT },
    queue: {
      workerConcurrency: e.PIMS_SYNC_WORKER_CONCURRENCY,
      jobExpireSeconds: e.PIMS_SYNC_JOB_EXPIRE_SECONDS,
      maintenanceSeconds: e.PIMS_SYNC_MAINTENANCE_SECONDS,
      pollSeconds: e.PIMS_SYNC_POLL_SECONDS,
      sweepSeconds: e.PIMS_SYNC_SWEEP_SECONDS,
      staleSeconds: e.PIMS_SYNC_STALE_SECONDS,
      maxAttempts: e.PIMS_SYNC_MAX_ATTEMPTS,
      retryDelaySeconds: e.PIMS_SYNC_RETRY_DELAY_SECONDS,
      shutdownGraceSeconds: e.PIMS_SYNC_SHUTDOWN_GRACE_SECONDS,
      dispatchTickSeconds: e.PIMS_SYNC_DISPATCH_TICK_SECONDS,
      dispatchBatchSize: DISPATCH_BATCH_SIZE,
      writeBackConcurrency: e.PIMS_SYNC_WRITE_BACK_CONCURRENCY,
      writeBackPollSeconds: e.PIMS_SYNC_WRITE_BACK_POLL_SECONDS,
      writeBackMaxAttempts: e.PIMS_SYNC_WRITE_BACK_MAX_ATTEMPTS,
    },
  };
}
