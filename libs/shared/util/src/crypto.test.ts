import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateEncryptionKey, parseEncryptionKey } from './crypto';

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
});
