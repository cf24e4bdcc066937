/** Where to go after sign-in: a same-site path only (never `//host` or a full URL). */
export function safeNextPath(raw: unknown, fallback = '/dashboard/admin/sync'): string {
  if (typeof raw !== 'string' || raw.length > 500) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\r\n\t]/.test(raw)) return fallback;
  if (raw.startsWith('/sign-in') || raw.startsWith('/api/')) return fallback;
  return raw;
}
