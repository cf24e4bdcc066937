/**
 * Times shown in a clinic's own zone, with the zone named ("09:30 CST"), whatever the browser's zone
 * is. Local calendar values ('YYYY-MM-DD', 'HH:MM') are shown as they are; instants are converted.
 */

/** "Tue, Nov 4" for a local date (no zone: it is a calendar day). */
export function formatLocalDate(date: string, opts: { weekday?: 'short' | 'long' } = {}): string {
  const d = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: opts.weekday ?? 'short', month: 'short', day: 'numeric' }).format(d);
}

/** The zone's short name at an instant ("CST", "CDT", "GMT+13"). */
export function zoneAbbreviation(zone: string, at: Date | string = new Date()): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
    return part?.value ?? zone;
  } catch {
    return zone;
  }
}

/** "Tue, Nov 4, 09:30 CST": an instant in the clinic's zone. */
export function formatInZone(iso: string, zone: string, opts: { date?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      ...(opts.date === false ? {} : { weekday: 'short', month: 'short', day: 'numeric' }),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).format(d);
  } catch {
    return d.toISOString();
  }
}
