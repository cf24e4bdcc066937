import 'server-only';
import { clientAddress } from '../http/forwarded';
import { authenticateAdmin, type AdminUser } from './admin-account';
import { LoginThrottle } from './login-throttle';

export type SignInCheck = { ok: true; user: AdminUser } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

export interface SignInDeps {
  throttle: LoginThrottle;
  /** TRUST_PROXY: how many proxies' X-Forwarded-For entries to believe (0: none). */
  trustProxyHops: number;
  /** Checks the e-mail and password (default: the seeded admin). */
  authenticate?: (email: string, password: string) => Promise<AdminUser | null>;
}

/**
 * One sign-in attempt through the throttle: refused while the account or the client address is
 * in backoff, otherwise the password is checked and the outcome counted.
 */
export async function checkSignIn(input: { email: string; password: string; headers: Headers }, deps: SignInDeps): Promise<SignInCheck> {
  const address = clientAddress(input.headers, deps.trustProxyHops);
  const decision = deps.throttle.begin(input.email, address);
  if (!decision.allowed) return { ok: false, reason: 'throttled', retryAfterMs: decision.retryAfterMs };
  const user = await (deps.authenticate ?? authenticateAdmin)(input.email, input.password);
  if (!user) return { ok: false, reason: 'invalid' };
  decision.attempt.succeeded();
  return { ok: true, user };
}

/** "Try again in 4 s" / "in 2 min". */
export function retryAfterText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

// One throttle per process (Next bundles server actions per page; module state would be per bundle).
const KEY = Symbol.for('pims.web.loginThrottle');

export function loginThrottle(): LoginThrottle {
  const g = globalThis as { [KEY]?: LoginThrottle };
  return (g[KEY] ??= new LoginThrottle());
}
