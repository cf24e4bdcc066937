import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { describeError, isAppError, redactSecrets, truncate } from '@pims/util';

export type ServiceLogger = PinoLogger;

/** The sync a piece of work belongs to: every line logged inside it carries these fields. */
export interface LogContext {
  syncId: string;
  clinicId: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/**
 * Runs fn with a log context: every line logged while it runs (by this service, the orchestrator or
 * the PIMS provider, which log through process-wide loggers) gets syncId and clinicId.
 */
export function withLogContext<T>(ctx: LogContext, fn: () => Promise<T>): Promise<T> {
  return logContext.run(ctx, fn);
}

/**
 * Paths pino blanks out on every line, wherever a caller put them. Request bodies of /api/clinics
 * are never logged at all (see the request logger); this is the second line of defence.
 */
export const REDACT_PATHS = [
  'password',
  'username',
  'apiKey',
  'credentialsKey',
  'credentials',
  'secret',
  'token',
  '*.password',
  '*.username',
  '*.apiKey',
  '*.credentialsKey',
  '*.credentials',
  '*.secret',
  '*.token',
  'pims.password',
  '*.pims.password',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'headers.authorization',
  '*.headers.authorization',
];

/** Structured JSON logs (one object a line) with secrets redacted. */
export function createLogger(opts: { level?: string; base?: Record<string, unknown>; destination?: DestinationStream } = {}): ServiceLogger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'pims-sync', pid: process.pid, ...opts.base },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin(_merge, _level, logger) {
        const ctx = logContext.getStore();
        if (!ctx) return {};
        const bound = (logger as PinoLogger).bindings();
        return 'syncId' in bound ? {} : { syncId: ctx.syncId, clinicId: ctx.clinicId };
      },
    },
    opts.destination,
  );
}

/** An error as log fields: AppErrors by code and message, others by name and message, secrets removed. */
export function errFields(err: unknown): { code: string; message: string; name?: string } {
  if (isAppError(err)) return describeError(err);
  const e = err as { name?: string; message?: string; code?: string } | null;
  return { code: typeof e?.code === 'string' ? e.code : 'internal_error', name: e?.name, message: truncate(redactSecrets(String(e?.message ?? err)), 500) };
}
