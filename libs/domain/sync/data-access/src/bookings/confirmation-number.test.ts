import { describe, expect, it } from 'vitest';
import { CONFIRMATION_ALPHABET, newConfirmationNumber, normalizeConfirmationNumber } from './confirmation-number';

describe('confirmation numbers', () => {
  it('use 6 characters of an alphabet without look-alikes (no 0/O, 1/I/L)', () => {
    for (const ch of '0O1IL') expect(CONFIRMATION_ALPHABET).not.toContain(ch);
    expect(new Set(CONFIRMATION_ALPHABET).size).toBe(CONFIRMATION_ALPHABET.length);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = newConfirmationNumber();
      expect(n).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/);
      seen.add(n);
    }
    expect(seen.size).toBeGreaterThan(1990); // random, not a counter or a fixed value
  });

  it('are read back as a caller says or types them', () => {
    expect(normalizeConfirmationNumber(' abc-23x ')).toBe('ABC23X');
    expect(normalizeConfirmationNumber('ABC 23X')).toBe('ABC23X');
    expect(normalizeConfirmationNumber('ABC23')).toBeNull();
    expect(normalizeConfirmationNumber('ABC230')).toBeNull(); // 0 is never in one
    expect(normalizeConfirmationNumber('')).toBeNull();
  });
});
