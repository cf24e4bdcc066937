import { randomInt } from 'node:crypto';

/**
 * Letters and digits that cannot be mistaken for one another when read out on the phone or copied
 * by hand: no 0/O, no 1/I/L.
 */
export const CONFIRMATION_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CONFIRMATION_LENGTH = 6;

/** A crypto-random confirmation number (31^6, about 887 million values); uniqueness per clinic is the database's. */
export function newConfirmationNumber(): string {
  let out = '';
  for (let i = 0; i < CONFIRMATION_LENGTH; i++) out += CONFIRMATION_ALPHABET[randomInt(CONFIRMATION_ALPHABET.length)];
  return out;
}

/**
 * A confirmation number as a caller may say or type it, case, spaces and dashes ignored
 * ('abc-23x' -> 'ABC23X'). Null when it cannot be one (wrong length, a character outside the alphabet).
 */
export function normalizeConfirmationNumber(input: string): string | null {
  if (typeof input !== 'string') return null;
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== CONFIRMATION_LENGTH) return null;
  for (const ch of s) if (!CONFIRMATION_ALPHABET.includes(ch)) return null;
  return s;
}
