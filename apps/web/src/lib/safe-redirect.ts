/** The default page after sign-in. */
export const DEFAULT_AFTER_SIGN_IN = '/dashboard/admin/sync';

/** A base that can never be a real host (`.invalid` is reserved): only its origin matters. */
const BASE = 'http://product.invalid';
const BASE_ORIGIN = new URL(BASE).origin;
// C0 controls, DEL and the C1 controls: the URL parser drops tabs and newlines silently.
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Where to go after sign-in: a path of this app only. The candidate is decoded (percent-escapes,
 * repeatedly, so `%252e` does not survive), its backslashes become slashes (browsers treat them
 * alike), then it is resolved as a URL against a fixed base, and only a result on that base's
 * origin is kept. The answer is the *resolved* path + query + fragment, so dot segments are gone.
 * A resolved path with an empty segment (`//evil.test` from `/.//evil.test`, `/x/..//evil.test`,
 * `/./\evil.test`) is refused too: a browser reads a Location starting with `//` as another host.
 * /sign-in and /api/ are never a destination. Anything refused gives `fallback`.
 */
export function safeNextPath(raw: unknown, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 500) return fallback;
  let candidate = raw;
  for (let round = 0; ; round++) {
    if (CONTROL.test(candidate)) return fallback;
    let decoded: string;
    try {
      decoded = decodeURIComponent(candidate);
    } catch {
      return fallback; // a malformed escape
    }
    if (decoded === candidate) break;
    if (round >= 3) return fallback; // still decoding after several rounds: not a path we wrote
    candidate = decoded;
  }
  candidate = candidate.replace(/\\/g, '/');
  if (!candidate.startsWith('/')) return fallback;

  let url: URL;
  try {
    url = new URL(candidate, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE_ORIGIN || url.username || url.password) return fallback;
  const path = url.pathname;
  if (path.includes('//')) return fallback;
  if (path.startsWith('/sign-in') || path === '/api' || path.startsWith('/api/')) return fallback;
  const result = `${path}${url.search}${url.hash}`;
  // Belt and braces: what we answer must itself resolve to this origin.
  if (!result.startsWith('/') || result.startsWith('//') || new URL(result, BASE).origin !== BASE_ORIGIN) return fallback;
  return result;
}
