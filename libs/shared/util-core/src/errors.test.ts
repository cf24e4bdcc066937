import { describe, expect, it } from 'vitest';
import { AppError, describeError, isAppError, redactSecrets, truncate } from './errors';

describe('errors', () => {
  it('redacts credentials from messages and hides unknown errors', () => {
    expect(redactSecrets('login failed for password=hunter2 user x', [])).not.toContain('hunter2');
    expect(redactSecrets('postgres://u:pw@h/db')).toBe('postgres://u:[redacted]@h/db');
    expect(redactSecrets('bad Sim-Pass-2026! here', ['Sim-Pass-2026!'])).toBe('bad [redacted] here');
    expect(describeError(new Error('connect ECONNREFUSED secret-host'))).toEqual({ code: 'internal_error', message: 'Unexpected internal error' });
    expect(describeError(new AppError('pims_unavailable', 'IDEXX Neo did not answer'))).toEqual({ code: 'pims_unavailable', message: 'IDEXX Neo did not answer' });
  });

  it('recognizes an AppError, also one from another copy of the module', () => {
    const e = new AppError('sync_in_progress', 'A sync is already running', { status: 409 });
    expect(isAppError(e)).toBe(true);
    expect(e.status).toBe(409);
    expect(isAppError({ name: 'AppError', code: 'x', message: 'y' })).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
