import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a request says about where it came from, believed only as far as TRUST_PROXY allows.
 *
 * `next start` gives route handlers and server actions no socket, only headers, and the headers it
 * adds itself (`x-forwarded-for` = the peer address, `x-forwarded-host`, `x-forwarded-proto`) are
 * set only when the client did not send them (Next's base-server uses `??=`). So with no trusted
 * proxy (`trustProxyHops` 0) none of them is evidence of anything: the client address is unknown
 * (null) and the app's origin is `http://` + the Host header (`next start` speaks plain HTTP).
 * With N trusted proxies, each of which appends its peer to X-Forwarded-For, the client is the
 * N-th entry from the right, and the origin comes from X-Forwarded-Proto / X-Forwarded-Host.
 */

/** The first value of a comma-separated header. */
function firstValue(value: string | null): string | undefined {
  const v = value?.split(',')[0]?.trim();
  return v ? v : undefined;
}

/**
 * The client's address as a throttle key, or null when it cannot be known. IPv6 addresses are
 * grouped by their /64 (one host usually owns a whole /64).
 */
export function clientAddress(headers: Headers, trustProxyHops: number): string | null {
  if (trustProxyHops <= 0) return null;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (hops.length === 0) return null;
  const hop = hops[Math.max(0, hops.length - trustProxyHops)]!;
  return normalizeAddress(hop);
}

/** An IP address in a canonical form (IPv4, or an IPv6 /64 prefix), or null when it is not one. */
export function normalizeAddress(raw: string): string | null {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  a = a.replace(/%.*$/, ''); // an IPv6 zone id
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return null;
  const groups = expandIPv6(a);
  // An IPv4-mapped address (::ffff:1.2.3.4) is that IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function expandIPv6(address: string): number[] {
  let a = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, v4.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const all = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return all.map((g) => parseInt(g, 16));
}

const HOST_RE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * This app's own origin (scheme, host and port) as the browser sees it, or null when the request
 * does not say (no usable Host).
 */
export function appOrigin(headers: Headers, trustProxyHops: number): string | null {
  let proto = 'http';
  let host = headers.get('host')?.trim();
  if (trustProxyHops > 0) {
    const forwardedProto = firstValue(headers.get('x-forwarded-proto'))?.toLowerCase();
    if (forwardedProto === 'https' || forwardedProto === 'http') proto = forwardedProto;
    host = firstValue(headers.get('x-forwarded-host')) ?? host;
  }
  if (!host || !HOST_RE.test(host)) return null;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}

/** The origin the browser says the request came from: Origin, else the Referer's; undefined when neither is sent. */
export function claimedOrigin(headers: Headers): string | undefined {
  const origin = headers.get('origin');
  if (origin !== null) return origin.trim();
  const referer = headers.get('referer');
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Whether a state-changing request (a POST) came from another origin: Sec-Fetch-Site says so, or
 * the full origin (scheme + host + port) of Origin / Referer is not this app's own. A request with
 * neither header is not from a browser page (browsers send Origin with every POST), so it cannot
 * carry a victim's cookie on an attacker's behalf, and passes.
 */
export function isCrossOrigin(headers: Headers, trustProxyHops: number): boolean {
  const site = headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const claimed = claimedOrigin(headers);
  if (claimed === undefined) return false;
  const own = appOrigin(headers, trustProxyHops);
  if (!own || claimed === 'null') return true;
  let claimedNormalized: string;
  try {
    claimedNormalized = new URL(claimed).origin;
  } catch {
    return true;
  }
  return claimedNormalized !== own;
}
