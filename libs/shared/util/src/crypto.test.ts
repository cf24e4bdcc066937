import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateEncryptionKey, parseEncryptionKey } from './crypto';
import { describeError, redactSecrets, AppError } from './errors';

describe('secrets', () => {
  it('round-trips with AES-256-GCM and never stores the plain text', () => {
    const key = parseEncryptionKey(generateEncryptionKey());
    const c = encryptSecret('Sim-Pass-2026!', key);
    expect(c).toMatch(/^v1:/);
    expect(c).not.toContain('Sim-Pass-2026!');
    expect(decryptSecret(c, key)).toBe('Sim-Pass-2026!');
    expect(encryptSecret('Sim-Pass-2026!', key)).not.toBe(c); // random IV
  });

  it('refuses a wrong key or a tampered ciphertext with a clear code', () => {
    const key = parseEncryptionKey(generateEncryptionKey());
    const other = parseEncryptionKey(generateEncryptionKey());
    const c = encryptSecret('secret', key);
    expect(() => decryptSecret(c, other)).toThrow(expect.objectContaining({ code: 'credentials_unreadable' }));
    expect(() => parseEncryptionKey('short')).toThrow(expect.objectContaining({ code: 'invalid_encryption_key' }));
  });

  it('redacts credentials from messages and hides unknown errors', () => {
    expect(redactSecrets('login failed for password=hunter2 user x', [])).not.toContain('hunter2');
    expect(redactSecrets('postgres://u:pw@h/db')).toBe('postgres://u:[redacted]@h/db');
    expect(redactSecrets('bad Sim-Pass-2026! here', ['Sim-Pass-2026!'])).toBe('bad [redacted] here');
    expect(describeError(new Error('connect ECONNREFUSED secret-host'))).toEqual({ code: 'internal_error', message: 'Unexpected internal error' });
    expect(describeError(new AppError('pims_unavailable', 'IDEXX Neo did not answer'))).toEqual({ code: 'pims_unavailable', message: 'IDEXX Neo did not answer' });
  });
});
