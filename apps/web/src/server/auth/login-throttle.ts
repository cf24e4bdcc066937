/**
 * The brake on password guessing at /sign-in: two independent counters per attempt.
 *
 * - Per account (the e-mail typed): a few free failures, then a growing backoff (1 s, 2 s, 4 s ...,
 *   capped at 30 s) between attempts. Anyone who knows the e-mail can slow the admin down, but never
 *   lock them out: 30 s after the last failure the right password is accepted again.
 * - Per client address: more free failures, then a backoff that grows to 15 minutes, so one address
 *   cannot keep an account in backoff or spray many e-mails. The address is the one the request
 *   came from (see `clientAddress` in ../http/forwarded.ts): X-Forwarded-For counts only when
 *   TRUST_PROXY says a proxy put it there. Without one, every client shares a single "unknown
 *   address" counter, which uses the account policy (30 s cap) since the admin is in it too.
 *
 * An attempt is counted as a failure when it *starts* (and forgiven when the password turns out
 * right), so parallel guesses cannot slip past the check while the password hash is computed.
 * Attempts refused by the throttle are not counted, so hammering does not lengthen the wait.
 *
 * State is in memory of this web server process (the web app has no database); a restart forgets it.
 */
export interface BackoffPolicy {
  /** Failures allowed without any wait. */
  freeFailures: number;
  /** The wait after the first failure past the free ones; it doubles with every further failure. */
  baseDelayMs: number;
  /** The longest wait. */
  maxDelayMs: number;
  /** A key with no failure for this long starts over. */
  forgetAfterMs: number;
}

export const ACCOUNT_POLICY: BackoffPolicy = { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, forgetAfterMs: 60 * 60_000 };
export const ADDRESS_POLICY: BackoffPolicy = { freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/** The one counter of every client whose address is unknown: it must not lock out the admin. */
export const UNKNOWN_ADDRESS_POLICY: BackoffPolicy = { freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 30_000, forgetAfterMs: 60 * 60_000 };

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/** The wait a policy asks for after `failures` failures, the last one at `lastFailureAt`. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures < policy.freeFailures) return 0;
  const exponent = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

class BackoffCounter {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly policy: BackoffPolicy,
    private readonly now: () => number,
    private readonly maxEntries: number,
  ) {}

  private live(key: string, t: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && t - entry.lastFailureAt >= this.policy.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  retryAfter(key: string): number {
    const t = this.now();
    const entry = this.live(key, t);
    if (!entry) return 0;
    return Math.max(0, entry.lastFailureAt + backoffDelay(this.policy, entry.failures) - t);
  }

  /** Counts a failure; answers its time and that of the one before it (to undo it with `forgive`). */
  fail(key: string): { at: number; previousAt: number | undefined } {
    const t = this.now();
    const entry = this.live(key, t) ?? { failures: 0, lastFailureAt: t };
    const previousAt = entry.failures > 0 ? entry.lastFailureAt : undefined;
    entry.failures += 1;
    entry.lastFailureAt = t;
    // Re-insert so the map stays ordered by last failure (oldest first) for the pruning below.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.prune(t);
    return { at: t, previousAt };
  }

  /** Takes back one failure counted at `at` (when no later one came since, the clock goes back too). */
  forgive(key: string, at: number, previousAt: number | undefined): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.failures -= 1;
    if (entry.failures <= 0) this.entries.delete(key);
    else if (entry.lastFailureAt === at && previousAt !== undefined) entry.lastFailureAt = previousAt;
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  private prune(t: number): void {
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && t - v.lastFailureAt < this.policy.forgetAfterMs) break;
      this.entries.delete(k);
    }
  }
}

export interface LoginThrottleOptions {
  account?: BackoffPolicy;
  address?: BackoffPolicy;
  unknownAddress?: BackoffPolicy;
  now?: () => number;
  /** Bound on the keys kept per counter (the oldest go first). */
  maxEntries?: number;
}

export type ThrottleDecision = { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterMs: number };

/** An attempt the throttle let through (already counted as a failure). */
export interface LoginAttempt {
  /** The password was right: forget the failures of this account (and of a known address). */
  succeeded(): void;
}

const UNKNOWN_ADDRESS_KEY = 'unknown-address';

export class LoginThrottle {
  private readonly accounts: BackoffCounter;
  private readonly addresses: BackoffCounter;
  private readonly unknownAddress: BackoffCounter;

  constructor(opts: LoginThrottleOptions = {}) {
    const now = opts.now ?? Date.now;
    const max = opts.maxEntries ?? 10_000;
    this.accounts = new BackoffCounter(opts.account ?? ACCOUNT_POLICY, now, max);
    this.addresses = new BackoffCounter(opts.address ?? ADDRESS_POLICY, now, max);
    this.unknownAddress = new BackoffCounter(opts.unknownAddress ?? UNKNOWN_ADDRESS_POLICY, now, 1);
  }

  /**
   * Asks to try a password for `account` from `address` (null: the address is unknown). When
   * allowed, the attempt is already counted as a failure; call `succeeded()` on the right password.
   */
  begin(account: string, address: string | null): ThrottleDecision {
    const accountKey = account.trim().toLowerCase();
    const [counter, addressKey] = address === null ? [this.unknownAddress, UNKNOWN_ADDRESS_KEY] : [this.addresses, address];
    const wait = Math.max(this.accounts.retryAfter(accountKey), counter.retryAfter(addressKey));
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
    this.accounts.fail(accountKey);
    const { at, previousAt } = counter.fail(addressKey);
    let settled = false;
    return {
      allowed: true,
      attempt: {
        succeeded: () => {
          if (settled) return;
          settled = true;
          this.accounts.clear(accountKey);
          // A known address that got the password right starts over; the shared counter of unknown
          // addresses only takes this attempt back (the guesser may be in it too).
          if (address === null) counter.forgive(addressKey, at, previousAt);
          else counter.clear(addressKey);
        },
      },
    };
  }
}
