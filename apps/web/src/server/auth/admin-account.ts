import 'server-only';
import { createHash } from 'node:crypto';
import { env } from '@/env';
import { hashPassword, safeEqual, verifyPassword, type PasswordHash } from './password';

export interface AdminUser {
  /** A stable uuid for the seeded admin (derived from the e-mail), used as the token `sub`. */
  id: string;
  email: string;
}

interface SeededAdmin extends AdminUser {
  password: PasswordHash;
}

let seeded: Promise<SeededAdmin | null> | undefined;

/** A name-based uuid (version 5 layout over SHA-1) so the admin's `sub` is the same across restarts. */
export function stableUserId(email: string): string {
  const h = createHash('sha1').update(`pims-web-admin:${email}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The admin seeded from ADMIN_EMAIL / ADMIN_PASSWORD. Only a scrypt hash of the password is kept in
 * memory (computed once, on first use); the web app has no database of its own.
 */
function seededAdmin(): Promise<SeededAdmin | null> {
  if (!seeded) {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = env();
    seeded = ADMIN_PASSWORD
      ? hashPassword(ADMIN_PASSWORD).then((password) => ({ id: stableUserId(ADMIN_EMAIL), email: ADMIN_EMAIL, password }))
      : Promise.resolve(null);
  }
  return seeded;
}

/** Whether an admin login is configured at all (ADMIN_PASSWORD set). */
export async function isAdminConfigured(): Promise<boolean> {
  return (await seededAdmin()) !== null;
}

/**
 * Checks a login in constant time: the password hash is always computed, and the e-mail is compared
 * through digests, so neither a wrong e-mail nor a wrong password answers faster.
 */
export async function authenticateAdmin(email: string, password: string): Promise<AdminUser | null> {
  const admin = await seededAdmin();
  if (!admin) return null;
  const emailOk = safeEqual(email.trim().toLowerCase(), admin.email);
  const passwordOk = await verifyPassword(password, admin.password);
  return emailOk && passwordOk ? { id: admin.id, email: admin.email } : null;
}

/** Tests only. */
export function resetSeededAdminForTests(): void {
  seeded = undefined;
}
