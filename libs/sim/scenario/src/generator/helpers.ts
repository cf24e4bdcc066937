import { timeOfMinutes } from '@pims/util';
import type { LocalDateTime } from '../local-time';
import type { Rng } from '../prng';

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function localOf(date: string, minutes: number): LocalDateTime {
  return `${date} ${timeOfMinutes(minutes)}:00`;
}

export function minLocal(a: LocalDateTime, b: LocalDateTime): LocalDateTime {
  return a < b ? a : b;
}
