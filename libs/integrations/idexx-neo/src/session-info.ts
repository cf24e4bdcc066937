/** What a logged-in Neo page shows of its session: the CSRF token writes must send, and the user's name. */
export interface SessionInfo {
  /** `<meta name="csrf-token" content="...">`, or null. */
  csrfToken: string | null;
  /** The logged-in user's name (`#current_user`), what Neo writes as `booked_by`; or null. */
  userName: string | null;
}

/**
 * Reads SessionInfo in the page. A string, not a function: a function's source is re-serialized into
 * the page, and under tsx/esbuild (keepNames) helpers inside it reference a `__name` the page lacks.
 */
export const SESSION_INFO_SCRIPT = `(() => {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var user = document.querySelector('#current_user');
  var token = meta ? (meta.getAttribute('content') || '').trim() : '';
  var name = user ? (user.textContent || '').replace(/\\s+/g, ' ').trim() : '';
  return { csrfToken: token || null, userName: name || null };
})()`;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ENTITIES[e] ?? _);
}

/** SessionInfo from a logged-in page's HTML (as fetched without a browser page). */
export function parseSessionInfo(html: string): SessionInfo {
  let csrfToken: string | null = null;
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/\bname\s*=\s*["']csrf-token["']/i.test(tag)) continue;
    const content = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
    const value = decode((content?.[1] ?? content?.[2] ?? '').trim());
    if (value) csrfToken = value;
    break;
  }
  const user = /<[a-z]+\b[^>]*\bid\s*=\s*["']current_user["'][^>]*>([^<]*)</i.exec(html);
  const userName = user ? decode(user[1]).replace(/\s+/g, ' ').trim() || null : null;
  return { csrfToken, userName };
}
