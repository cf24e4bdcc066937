import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@pims/util-core';

/**
 * AES-256-GCM for secrets at rest. The key is 32 bytes given as base64 or hex.
 * Ciphertext format: v1:<iv base64>:<auth tag base64>:<ciphertext base64>.
 */
export function parseEncryptionKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new AppError('invalid_encryption_key', 'CREDENTIALS_KEY must be 32 bytes, given as 64 hex characters or base64');
  }
  return key;
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
}

export function decryptSecret(payload: string, key: Buffer): string {
  const parts = payload.split(':');
  if (parts.length !== 4 || parts[0] !== 'v1') {
    throw new AppError('credentials_unreadable', 'Stored credentials are not in a known format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64'));
    decipher.setAuthTag(Buffer.from(parts[2], 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError('credentials_unreadable', 'Stored credentials cannot be decrypted with the configured CREDENTIALS_KEY');
  }
}
