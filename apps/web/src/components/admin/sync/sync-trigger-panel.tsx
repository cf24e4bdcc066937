'use client';

import * as Collapsible from '@radix-ui/react-collapsible';
import { useId, useState, type ReactNode } from 'react';
import { Spinner } from '@/components/ui/spinner';
import { api, trpcErrorCode, type RouterOutputs } from '@/trpc/react';
import type { ClinicView } from './sync-labels';

type TriggerResult = RouterOutputs['admin']['sync']['triggerFullSync'];
type Action = 'full' | 'inbound' | 'cases' | 'reconcile';

interface Feedback {
  tone: 'success' | 'warning' | 'error';
  message: string;
  details?: string[];
  /** For "already running": the sync to look at. */
  activeSyncId?: string | null;
}

const ACTION_LABEL: Record<Action, string> = {
  full: 'Full sync',
  inbound: 'Inbound sync',
  cases: 'Case sync',
  reconcile: 'Reconciliation',
};

/** A whole number of days within 1..max, or null. */
function parseDays(raw: string, max: number): number | null {
  if (!/^\d{1,3}$/.test(raw.trim())) return null;
  const n = Number(raw);
  return n >= 1 && n <= max ? n : null;
}

function describeResult(action: Action, result: TriggerResult, clinicName: string): Feedback {
  const label = ACTION_LABEL[action];
  const { started, alreadyRunning, failed } = result;
  const details: string[] = [];
  if (alreadyRunning.length) details.push(`Already running: ${alreadyRunning.map((c) => c.clinicName ?? c.clinicId).join(', ')}.`);
  if (failed.length) details.push(...failed.map((f) => `Not started for ${f.clinicName ?? f.clinicId}: ${f.message}`));
  const forAll = result.started.length + alreadyRunning.length + failed.length > 1 || started[0]?.clinicName != null;
  const message = forAll
    ? started.length
      ? `${label} queued for ${started.length} ${started.length === 1 ? 'clinic' : 'clinics'}.`
      : `${label} started for no clinic.`
    : `${label} queued for ${clinicName}.`;
  return { tone: details.length ? 'warning' : 'success', message, details };
}

function describeError(err: unknown): Feedback {
  const message = err instanceof Error ? err.message : 'The request failed';
  if (trpcErrorCode(err) === 'CONFLICT') {
    const data = (err as { data?: { activeSyncId?: string | null } }).data;
    return { tone: 'warning', message, activeSyncId: data?.activeSyncId ?? null };
  }
  return { tone: 'error', message };
}

export interface SyncTriggerPanelProps {
  clinics: ClinicView[] | undefined;
  clinicsLoading: boolean;
  clinicsError?: string | null;
  /** Called after a trigger queued syncs (to refresh the active list and history). */
  onTriggered: () => void;
}

export function SyncTriggerPanel({ clinics, clinicsLoading, clinicsError, onTriggered }: SyncTriggerPanelProps) {
  const ids = useId();
  const [chosenClinic, setChosenClinic] = useState('');
  const [lookback, setLookback] = useState('14');
  const [forward, setForward] = useState('14');
  const [reconcileDays, setReconcileDays] = useState('7');
  const [allowMassDelete, setAllowMassDelete] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [feedback, setFeedback] = useState<Feedback | null>(null);

  const clinicId = chosenClinic || (clinics?.length === 1 ? clinics[0].id : '');
  const clinicName = clinicId === 'all' ? 'all clinics' : (clinics?.find((c) => c.id === clinicId)?.name ?? 'the clinic');
  const lookbackDays = parseDays(lookback, 90);
  const forwardDays = parseDays(forward, 90);
  const reconcileWindow = parseDays(reconcileDays, 30);

  const handlers = (action: Action) => ({
    onMutate: () => setFeedback(null),
    onSuccess: (result: TriggerResult) => {
      setFeedback(describeResult(action, result, clinicName));
      onTriggered();
    },
    onError: (err: unknown) => setFeedback(describeError(err)),
  });
  const full = api.admin.sync.triggerFullSync.useMutation(handlers('full'));
  const inbound = api.admin.sync.triggerInboundSync.useMutation(handlers('inbound'));
  const cases = api.admin.sync.triggerCaseSync.useMutation(handlers('cases'));
  const reconcile = api.admin.sync.triggerReconciliation.useMutation(handlers('reconcile'));

  // One loading state for every trigger: while any is pending, all buttons are disabled.
  const pending: Action | null = full.isPending ? 'full' : inbound.isPending ? 'inbound' : cases.isPending ? 'cases' : reconcile.isPending ? 'reconcile' : null;
  const busy = pending !== null;
  const noClinic = !clinicId;
  const fullLabel = `Full Sync (Past ${lookbackDays ?? lookback.trim() ?? '?'}d + Next ${forwardDays ?? forward.trim() ?? '?'}d)`;

  return (
    <section aria-labelledby={`${ids}-title`} className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="sync-trigger-panel">
      <div className="border-b border-slate-200 px-5 py-4">
        <h2 id={`${ids}-title`} className="text-base font-semibold text-slate-900">
          Sync Trigger Panel
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">Queue a sync for one clinic or all of them. Syncs run in the background.</p>
      </div>

      <div className="space-y-5 px-5 py-5">
        <div className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)]">
          <div>
            <label htmlFor={`${ids}-clinic`} className="block text-sm font-medium text-slate-700">
              Clinic
            </label>
            <select
              id={`${ids}-clinic`}
              value={clinicId}
              onChange={(e) => {
                setChosenClinic(e.target.value);
                setFeedback(null);
              }}
              disabled={busy || clinicsLoading}
              className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs disabled:bg-slate-50 disabled:text-slate-500"
            >
              <option value="" disabled>
                {clinicsLoading ? 'Loading clinics…' : 'Choose a clinic…'}
              </option>
              {clinics?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              {clinics && clinics.length > 1 && <option value="all">All clinics ({clinics.length})</option>}
            </select>
            {clinicsError && <p className="mt-1 text-xs text-red-700">Could not load clinics: {clinicsError}</p>}
            {clinics && clinics.length === 0 && (
              <p className="mt-1 text-xs text-slate-500">No clinics are registered yet (pims-sync: POST /api/clinics).</p>
            )}
          </div>
          <DaysInput id={`${ids}-lookback`} label="Look back (days)" value={lookback} onChange={setLookback} max={90} valid={lookbackDays !== null} disabled={busy} />
          <DaysInput id={`${ids}-forward`} label="Look ahead (days)" value={forward} onChange={setForward} max={90} valid={forwardDays !== null} disabled={busy} />
        </div>

        <div className="flex flex-wrap items-center gap-3">
          <TriggerButton
            primary
            pending={pending === 'full'}
            disabled={busy || noClinic || lookbackDays === null || forwardDays === null}
            onClick={() => full.mutate({ clinicId, lookbackDays: lookbackDays!, forwardDays: forwardDays! })}
          >
            {fullLabel}
          </TriggerButton>
          <p className="text-sm text-slate-500">
            {noClinic ? 'Choose a clinic to start.' : `Backward + forward inbound, case enrichment and reconciliation for ${clinicName}.`}
          </p>
        </div>

        <FeedbackMessage feedback={feedback} onDismiss={() => setFeedback(null)} />

        <Collapsible.Root open={advancedOpen} onOpenChange={setAdvancedOpen} className="rounded-lg border border-slate-200">
          <Collapsible.Trigger asChild>
            <button
              type="button"
              disabled={busy}
              className="group flex w-full items-center justify-between gap-2 rounded-lg px-4 py-3 text-left text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-70"
            >
              Advanced: Individual Sync Operations
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 text-slate-500 transition-transform group-data-[state=open]:rotate-180" fill="currentColor">
                <path fillRule="evenodd" d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.17l3.71-3.94a.75.75 0 1 1 1.08 1.04l-4.25 4.5a.75.75 0 0 1-1.08 0l-4.25-4.5a.75.75 0 0 1 .02-1.06z" clipRule="evenodd" />
              </svg>
            </button>
          </Collapsible.Trigger>
          <Collapsible.Content className="divide-y divide-slate-200 border-t border-slate-200">
            <OperationRow title="Inbound only" description={`Upcoming appointments for the next ${forwardDays ?? '?'} days into schedule slots (forward inbound).`}>
              <TriggerButton
                pending={pending === 'inbound'}
                disabled={busy || noClinic || forwardDays === null}
                onClick={() => inbound.mutate({ clinicId, forwardDays: forwardDays! })}
              >
                Inbound Only
              </TriggerButton>
            </OperationRow>
            <OperationRow title="Cases only" description={`Consultation notes for the appointments of the past ${lookbackDays ?? '?'} days (case enrichment).`}>
              <TriggerButton
                pending={pending === 'cases'}
                disabled={busy || noClinic || lookbackDays === null}
                onClick={() => cases.mutate({ clinicId, lookbackDays: lookbackDays! })}
              >
                Cases Only
              </TriggerButton>
            </OperationRow>
            <OperationRow
              title="Reconcile only"
              description={`Soft-delete cases of the past ${reconcileWindow ?? '?'} days whose appointment is gone from the PIMS; restore the ones that came back.`}
              action={
                <TriggerButton
                  pending={pending === 'reconcile'}
                  disabled={busy || noClinic || reconcileWindow === null}
                  onClick={() => reconcile.mutate({ clinicId, lookbackDays: reconcileWindow!, allowMassDelete })}
                >
                  Reconcile Only
                </TriggerButton>
              }
            >
              <div className="mt-3 grid gap-4 sm:grid-cols-[10rem_minmax(0,1fr)]">
                <DaysInput
                  id={`${ids}-reconcile`}
                  label="Window (days)"
                  value={reconcileDays}
                  onChange={setReconcileDays}
                  max={30}
                  valid={reconcileWindow !== null}
                  disabled={busy}
                />
                <MassDeleteSwitch id={`${ids}-mass-delete`} checked={allowMassDelete} onChange={setAllowMassDelete} disabled={busy} />
              </div>
            </OperationRow>
          </Collapsible.Content>
        </Collapsible.Root>
      </div>
    </section>
  );
}

function DaysInput(props: { id: string; label: string; value: string; onChange: (v: string) => void; max: number; valid: boolean; disabled: boolean }) {
  const { id, label, value, onChange, max, valid, disabled } = props;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        step={1}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!valid || undefined}
        aria-describedby={!valid ? `${id}-error` : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs disabled:bg-slate-50 aria-invalid:border-red-400 aria-invalid:bg-red-50"
      />
      {!valid && (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-700">
          Whole days from 1 to {max}.
        </p>
      )}
    </div>
  );
}

function TriggerButton(props: { children: ReactNode; pending: boolean; disabled: boolean; onClick: () => void; primary?: boolean }) {
  const { children, pending, disabled, onClick, primary } = props;
  const look = primary
    ? 'bg-indigo-600 text-white shadow-sm hover:bg-indigo-500 disabled:bg-indigo-300'
    : 'border border-slate-300 bg-white text-slate-800 shadow-xs hover:bg-slate-50 disabled:bg-slate-50 disabled:text-slate-400';
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      aria-busy={pending || undefined}
      className={`inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold disabled:cursor-not-allowed ${look}`}
    >
      {pending && <Spinner className="size-4" />}
      {children}
    </button>
  );
}

/** One individual operation: what it does, its options (children) and its button (action, or children when it has no options). */
function OperationRow({ title, description, children, action }: { title: string; description: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="px-4 py-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
          <p className="mt-0.5 text-xs leading-5 text-slate-600">{description}</p>
        </div>
        <div className="shrink-0">{action ?? children}</div>
      </div>
      {action && children}
    </div>
  );
}

function MassDeleteSwitch({ id, checked, onChange, disabled }: { id: string; checked: boolean; onChange: (v: boolean) => void; disabled: boolean }) {
  return (
    <div className="pt-6">
      <div className="flex items-center gap-3">
        <button
          id={id}
          type="button"
          role="switch"
          aria-checked={checked}
          aria-describedby={`${id}-hint`}
          disabled={disabled}
          onClick={() => onChange(!checked)}
          className={`relative inline-flex h-6 w-11 shrink-0 cursor-pointer items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${
            checked ? 'bg-red-600' : 'bg-slate-300'
          }`}
        >
          <span
            aria-hidden="true"
            className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${checked ? 'translate-x-5' : 'translate-x-0.5'}`}
          />
        </button>
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          Allow mass delete
        </label>
      </div>
      {checked ? (
        <p id={`${id}-hint`} role="alert" className="mt-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs leading-5 text-red-800">
          <strong className="font-semibold">Warning:</strong> the safety guard is off. Reconciliation will soft-delete every case missing from
          the PIMS, even more than 25% of the window. Use this only when the appointments were really removed.
        </p>
      ) : (
        <p id={`${id}-hint`} className="mt-2 text-xs leading-5 text-slate-500">
          Guarded: a run that would delete 5 or more cases and over 25% of the window deletes none and ends partial.
        </p>
      )}
    </div>
  );
}

function FeedbackMessage({ feedback, onDismiss }: { feedback: Feedback | null; onDismiss: () => void }) {
  if (!feedback) return <div aria-live="polite" className="sr-only" />;
  const look = {
    success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
    warning: 'border-amber-200 bg-amber-50 text-amber-900',
    error: 'border-red-200 bg-red-50 text-red-900',
  }[feedback.tone];
  return (
    <div role={feedback.tone === 'success' ? 'status' : 'alert'} className={`flex items-start justify-between gap-3 rounded-md border px-4 py-3 text-sm ${look}`} data-testid="trigger-feedback">
      <div>
        <p className="font-medium">{feedback.message}</p>
        {feedback.details?.map((d) => (
          <p key={d} className="mt-1">
            {d}
          </p>
        ))}
        {feedback.activeSyncId && (
          <a href={`#sync-${feedback.activeSyncId}`} className="mt-1 inline-block font-medium underline underline-offset-2">
            View the running sync
          </a>
        )}
      </div>
      <button type="button" onClick={onDismiss} className="rounded p-0.5 text-current opacity-60 hover:opacity-100" aria-label="Dismiss message">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
          <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22z" />
        </svg>
      </button>
    </div>
  );
}
