'use client';

import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs` (for relative times and elapsed counters). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

const exactFormat = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'long',
});

export function formatExact(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : exactFormat.format(d);
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function formatRelative(iso: string, now: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 10) return 'just now';
  if (abs < 60) return relativeFormat.format(Math.round(diff), 'second');
  if (abs < 3600) return relativeFormat.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return relativeFormat.format(Math.round(diff / 3600), 'hour');
  if (abs < 30 * 86_400) return relativeFormat.format(Math.round(diff / 86_400), 'day');
  return exactFormat.format(new Date(t));
}

/** "850 ms", "42s", "3m 05s", "1h 02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function durationBetween(start: string | null, end: string | null, now?: number): number | null {
  if (!start) return null;
  const a = new Date(start).getTime();
  const b = end ? new Date(end).getTime() : (now ?? NaN);
  return Number.isNaN(a) || Number.isNaN(b) ? null : b - a;
}

/** A relative time ("3 minutes ago") with the exact time on hover (title) and for machines (dateTime). */
export function RelativeTime({ iso, className }: { iso: string | null; className?: string }) {
  const now = useNow(15_000);
  if (!iso) return <span className={className}>—</span>;
  return (
    <time dateTime={iso} title={formatExact(iso)} className={className}>
      {formatRelative(iso, now)}
    </time>
  );
}
