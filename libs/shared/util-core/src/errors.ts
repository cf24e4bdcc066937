/**
 * An error that carries a machine code and a message that is safe to show a user or a log.
 * Anything that is not an AppError is unknown and its text never reaches a client.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    opts: { status?: number; retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? 500;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError || (typeof err === 'object' && err !== null && (err as { name?: string }).name === 'AppError' && typeof (err as { code?: unknown }).code === 'string');
}

/** Removes anything that looks like a credential from a message before it is stored or logged. */
export function redactSecrets(message: string, secrets: readonly (string | undefined | null)[] = []): string {
  let out = message;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('[redacted]');
  }
  return out
    .replace(/(password|passwd|pwd|secret|token|api[-_]?key)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi, '$1$2[redacted]')
    .replace(/(postgres(?:ql)?:\/\/[^:/\s]+:)[^@\s]+@/gi, '$1[redacted]@');
}

/** A short, safe one-line description of any error, for audit rows and logs. */
export function describeError(err: unknown, secrets: readonly (string | undefined | null)[] = []): { code: string; message: string } {
  if (isAppError(err)) return { code: err.code, message: truncate(redactSecrets(err.message, secrets), 500) };
  return { code: 'internal_error', message: 'Unexpected internal error' };
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
