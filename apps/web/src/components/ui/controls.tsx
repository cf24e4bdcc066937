'use client';

import Link from 'next/link';
import type { ComponentProps, ReactNode } from 'react';
import { Spinner } from './spinner';

/** Shared looks of the admin pages' controls (Tailwind classes), so every page reads the same. */
export const INPUT_CLASS =
  'mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs disabled:bg-slate-50 disabled:text-slate-500 aria-invalid:border-red-500 aria-invalid:bg-red-50';
export const PRIMARY_BUTTON =
  'inline-flex items-center justify-center gap-2 rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:cursor-not-allowed disabled:bg-indigo-300';
export const SECONDARY_BUTTON =
  'inline-flex items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500';
export const DANGER_BUTTON =
  'inline-flex items-center justify-center gap-2 rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-600 disabled:cursor-not-allowed disabled:bg-red-300';
export const LINK_CLASS = 'font-medium text-indigo-700 underline-offset-2 hover:underline';

export function Button({ pending, className, children, ...rest }: ComponentProps<'button'> & { pending?: boolean }) {
  return (
    <button type="button" aria-busy={pending || undefined} className={className ?? SECONDARY_BUTTON} {...rest}>
      {pending && <Spinner className="size-4" />}
      {children}
    </button>
  );
}

/** A labelled control with its hint and error, wired by id for screen readers. */
export function Field(props: { id: string; label: ReactNode; hint?: ReactNode; error?: string | null; children: ReactNode; className?: string }) {
  return (
    <div className={props.className}>
      <label htmlFor={props.id} className="block text-sm font-medium text-slate-800">
        {props.label}
      </label>
      {props.children}
      {props.hint && !props.error && (
        <p id={`${props.id}-hint`} className="mt-1 text-xs text-slate-600">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${props.id}-error`} className="mt-1 text-xs text-red-700">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** aria props of a Field's control. */
export function fieldAria(id: string, error: string | null | undefined, hint?: boolean) {
  return {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  } as const;
}

/** A message after an action: success is a status, the others alerts (read out at once). */
export function Notice({ tone, children, testId }: { tone: 'success' | 'warning' | 'error' | 'info'; children: ReactNode; testId?: string }) {
  const look = {
    success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
    warning: 'border-amber-200 bg-amber-50 text-amber-950',
    error: 'border-red-200 bg-red-50 text-red-900',
    info: 'border-slate-200 bg-slate-50 text-slate-800',
  }[tone];
  return (
    <div role={tone === 'success' || tone === 'info' ? 'status' : 'alert'} className={`rounded-md border px-4 py-3 text-sm ${look}`} data-testid={testId}>
      {children}
    </div>
  );
}

/** A panel of a page: a titled section. */
export function Panel(props: { title: ReactNode; description?: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string; id?: string }) {
  const titleId = `${props.id ?? props.testId ?? 'panel'}-title`;
  return (
    <section aria-labelledby={titleId} id={props.id} className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid={props.testId}>
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {props.title}
          </h2>
          {props.description && <p className="mt-0.5 text-sm text-slate-600">{props.description}</p>}
        </div>
        {props.actions}
      </div>
      <div className="px-5 py-5">{props.children}</div>
    </section>
  );
}

/** Loading, error (the API's message, with a retry) or the content. */
export function QueryState(props: {
  pending: boolean;
  error: { message: string } | null;
  onRetry?: () => void;
  what: string;
  children: ReactNode;
}) {
  if (props.pending) {
    return (
      <p className="flex items-center gap-2 py-6 text-sm text-slate-600" role="status" data-testid="loading">
        <Spinner className="size-4" /> Loading {props.what}…
      </p>
    );
  }
  if (props.error) {
    return (
      <div role="alert" className="py-6 text-sm text-red-800" data-testid="load-error">
        <p>
          Could not load {props.what}: {props.error.message}
        </p>
        {props.onRetry && (
          <button type="button" onClick={props.onRetry} className="mt-2 font-medium text-indigo-700 underline">
            Try again
          </button>
        )}
      </div>
    );
  }
  return <>{props.children}</>;
}

export function Breadcrumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-3 text-sm text-slate-600">
      <ol className="flex flex-wrap items-center gap-1.5">
        {items.map((it, i) => (
          <li key={`${it.label}-${i}`} className="flex items-center gap-1.5">
            {i > 0 && <span aria-hidden="true">/</span>}
            {it.href ? (
              <Link href={it.href} className={LINK_CLASS}>
                {it.label}
              </Link>
            ) : (
              <span aria-current="page" className="text-slate-800">
                {it.label}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** Previous / Next over cursor pages (the cursors seen so far; page 1 has none). */
export function CursorPager(props: { label: string; page: number; count: number | null; noun: [string, string]; hasNext: boolean; onPrevious: () => void; onNext: () => void }) {
  return (
    <nav aria-label={props.label} className="flex items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 text-sm">
      <span className="text-slate-600">
        Page {props.page}
        {props.count ? ` · ${props.count} ${props.count === 1 ? props.noun[0] : props.noun[1]}` : ''}
      </span>
      <div className="flex gap-2">
        <button type="button" onClick={props.onPrevious} disabled={props.page === 1} className={`${SECONDARY_BUTTON} px-3 py-1.5`}>
          Previous
        </button>
        <button type="button" onClick={props.onNext} disabled={!props.hasNext} className={`${SECONDARY_BUTTON} px-3 py-1.5`}>
          Next
        </button>
      </div>
    </nav>
  );
}

/** An on/off switch (role=switch) with its visible label. */
export function Switch(props: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; describedBy?: string }) {
  return (
    <div className="flex items-center gap-3">
      <button
        id={props.id}
        type="button"
        role="switch"
        aria-checked={props.checked}
        aria-describedby={props.describedBy}
        disabled={props.disabled}
        onClick={() => props.onChange(!props.checked)}
        className={`relative inline-flex h-6 w-11 shrink-0 cursor-pointer items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${
          props.checked ? 'bg-indigo-600' : 'bg-slate-400'
        }`}
      >
        <span aria-hidden="true" className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${props.checked ? 'translate-x-5' : 'translate-x-0.5'}`} />
      </button>
      <label htmlFor={props.id} className="text-sm font-medium text-slate-800">
        {props.label}
      </label>
    </div>
  );
}

/** A labelled select of a list's filters (the sync history, the bookings). */
export function FilterSelect(props: { id: string; label: string; value: string; onChange: (v: string) => void; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={props.id} className="block text-xs font-medium text-slate-700">
        {props.label}
      </label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        className="mt-1 block rounded-md border border-slate-300 bg-white py-1.5 pl-2.5 pr-8 text-sm shadow-xs"
      >
        {props.children}
      </select>
    </div>
  );
}

/** "Clear filters", shown while a list is filtered. */
export function ClearFiltersButton({ onClear }: { onClear: () => void }) {
  return (
    <button type="button" onClick={onClear} className="rounded-md px-2 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50">
      Clear filters
    </button>
  );
}
