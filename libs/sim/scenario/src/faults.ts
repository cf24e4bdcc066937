import { z } from 'zod';
import { createRng, type Rng } from './prng';

/** Fault injection (CONTRACT section 5). Affects the PIMS routes only, never /__sim. `{}` clears. */
export const FaultsSchema = z.strictObject({
  /** Added delay on every PIMS route, plus a random 0..jitterMs. */
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  jitterMs: z.number().int().min(0).max(120_000).optional(),
  /** Share (0..1) of JSON requests that answer 500/502/503 with an HTML error page. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Every Nth JSON request answers 429 with `Retry-After: 1`. */
  rateLimitEvery: z.number().int().min(1).optional(),
  /** Sessions expire this many seconds after login (fractions allowed). */
  sessionTtlSeconds: z.number().positive().optional(),
  /** Any PIMS request whose path contains one of these substrings answers 503. */
  failPaths: z.array(z.string().min(1)).optional(),
  /** The PIMS serves these appointments without their start time (a record the client cannot read). */
  malformedIds: z.array(z.string().min(1)).optional(),
  /**
   * A write (of one of the PIMS's write endpoints) whose path contains one of these substrings is carried out,
   * then answered 502 as if the answer was lost on the way back.
   */
  commitThenFail: z.array(z.string().min(1)).optional(),
  /** Seed of the random draws (error choice, jitter); the same seed gives the same sequence. */
  seed: z.union([z.string(), z.number()]).optional(),
});
export type Faults = z.output<typeof FaultsSchema>;

export class FaultState {
  config: Faults = {};
  private rng: Rng = createRng('faults');
  private jsonCount = 0;

  set(config: Faults): void {
    this.config = { ...config };
    for (const k of ['failPaths', 'malformedIds', 'commitThenFail'] as const) {
      if (config[k] === undefined) delete this.config[k];
      else this.config[k] = [...config[k]];
    }
    this.rng = createRng(`faults/${config.seed ?? 0}`);
    this.jsonCount = 0;
  }

  delayMs(): number {
    const base = this.config.latencyMs ?? 0;
    const jitter = this.config.jitterMs ?? 0;
    return base + (jitter > 0 ? Math.floor(this.rng.next() * (jitter + 1)) : 0);
  }

  /** Whether the calendar serves this appointment without its start. */
  isMalformed(appointmentId: string): boolean {
    return (this.config.malformedIds ?? []).includes(appointmentId);
  }

  failsPath(path: string): boolean {
    return (this.config.failPaths ?? []).some((s) => path.includes(s));
  }

  /** Whether a carried-out write on this path is answered 502 (commitThenFail). */
  losesAnswer(path: string): boolean {
    return (this.config.commitThenFail ?? []).some((s) => path.includes(s));
  }

  /** Decides the fate of one JSON request (reads, searches and writes alike), before it is served: 'rate_limited', an error status, or null (served). */
  judgeJson(): 'rate_limited' | 500 | 502 | 503 | null {
    this.jsonCount += 1;
    const every = this.config.rateLimitEvery;
    if (every && this.jsonCount % every === 0) return 'rate_limited';
    const rate = this.config.errorRate ?? 0;
    if (rate > 0 && this.rng.next() < rate) return this.rng.weighted([500, 502, 503] as const, [6, 2, 2]);
    return null;
  }
}
