import { redactSecrets } from './errors';

/** The logging surface the libraries use; pino loggers satisfy it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
};

/**
 * The logger a PIMS provider writes to: pino-style `(fields, message)`. A pino logger, a console, or
 * anything with these methods fits. Every method is optional.
 */
export interface PimsLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
  warn?(fields: Record<string, unknown>, message: string): void;
  error?(fields: Record<string, unknown>, message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger that removes the given secrets (and anything that looks like one) from every line. */
export function redactingLogger(logger: PimsLogger | undefined, secrets: () => readonly (string | null | undefined)[]) {
  const write = (level: LogLevel, fields: Record<string, unknown>, message: string): void => {
    const fn = logger?.[level];
    if (!fn) return;
    const s = secrets();
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) clean[k] = typeof v === 'string' ? redactSecrets(v, s) : v;
    try {
      fn.call(logger, clean, redactSecrets(message, s));
    } catch {
      // A broken logger must never break a sync.
    }
  };
  return {
    debug: (fields: Record<string, unknown>, message: string) => write('debug', fields, message),
    info: (fields: Record<string, unknown>, message: string) => write('info', fields, message),
    warn: (fields: Record<string, unknown>, message: string) => write('warn', fields, message),
    error: (fields: Record<string, unknown>, message: string) => write('error', fields, message),
  };
}

export type SafeLogger = ReturnType<typeof redactingLogger>;
