'use client';

import type { UpdateClinicInput } from '@pims/sync-contracts';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { Field, INPUT_CLASS, Notice, Panel, PRIMARY_BUTTON, Switch, fieldAria } from '@/components/ui/controls';
import { Spinner } from '@/components/ui/spinner';
import { ALL_DAYS, DAY_NAMES, cronFromNightly, describeNightly, nightlyFromCron } from '@/lib/nightly-cron';
import { zoneAbbreviation } from '@/lib/zoned-time';
import { api } from '@/trpc/react';
import { PROVIDER_LABEL, type ClinicSettingsView } from './clinic-labels';
import { issuesByField, type FieldErrors } from './form-issues';
import { TimeZoneField } from './time-zone-field';

/** Every setting of a clinic, each group its own form with its own Save (PATCH /api/clinics/:id). */
export function ClinicSettingsForms({ clinic }: { clinic: ClinicSettingsView }) {
  return (
    <div className="grid items-start gap-6 lg:grid-cols-2">
      <HoursForm clinic={clinic} />
      <NightlyForm clinic={clinic} />
      <CredentialsForm clinic={clinic} />
      <div className="space-y-6">
        <ClinicForm clinic={clinic} />
        <VoiceForm clinic={clinic} />
      </div>
    </div>
  );
}

/** One settings form's save: the patch, its field errors (paths as in the patch) and its outcome. */
function useSave(clinicId: string, onSaved?: (settings: ClinicSettingsView) => void) {
  const utils = api.useUtils();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const mutation = api.admin.clinics.update.useMutation({
    onMutate: () => {
      setSaved(false);
      setErrors({});
    },
    onSuccess: (settings) => {
      utils.admin.clinics.get.setData({ clinicId }, settings);
      void utils.admin.clinics.list.invalidate();
      void utils.admin.clinics.schedule.invalidate({ clinicId });
      setSaved(true);
      onSaved?.(settings);
    },
    onError: (err) => {
      const issues = (err.data as { inputIssues?: { path: string[]; message: string }[] } | undefined)?.inputIssues ?? [];
      // tRPC's own issues start at the input (patch.schedule.x); pims-sync's at the body (schedule.x).
      setErrors(issuesByField(issues.map((i) => ({ ...i, path: i.path[0] === 'patch' ? i.path.slice(1) : i.path }))));
    },
  });
  const save = (patch: UpdateClinicInput) => mutation.mutate({ clinicId, patch });
  return { save, mutation, errors, setErrors, saved, setSaved };
}

function SettingsForm(props: {
  title: string;
  description: ReactNode;
  testId: string;
  onSubmit: () => void;
  save: ReturnType<typeof useSave>;
  children: ReactNode;
  submitLabel?: string;
}) {
  const { mutation, saved, errors } = props.save;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  const general = errors.form ?? (mutation.isError && Object.keys(errors).length === 0 ? mutation.error.message : null);
  return (
    <Panel title={props.title} description={props.description} testId={props.testId} id={props.testId}>
      <form onSubmit={onSubmit} noValidate aria-label={props.title} className="space-y-4">
        {props.children}
        <div className="flex flex-wrap items-center gap-3 pt-1">
          <button type="submit" disabled={mutation.isPending} aria-busy={mutation.isPending || undefined} className={PRIMARY_BUTTON}>
            {mutation.isPending && <Spinner className="size-4" />}
            {props.submitLabel ?? 'Save'}
          </button>
          <div aria-live="polite" className="text-sm">
            {saved && !mutation.isPending && (
              <span role="status" className="font-medium text-emerald-800" data-testid="saved">
                Saved.
              </span>
            )}
          </div>
        </div>
        {general && <Notice tone="error">Not saved: {general}</Notice>}
        {mutation.isError && Object.keys(errors).length > 0 && !errors.form && <Notice tone="error">Not saved: {mutation.error.message}</Notice>}
      </form>
    </Panel>
  );
}

/** A whole number from a text field, or null. */
const wholeNumber = (raw: string): number | null => (/^\d{1,4}$/.test(raw.trim()) ? Number(raw) : null);

function DayPicker(props: { legend: string; days: number[]; onChange: (d: number[]) => void; error?: string | null; disabled?: boolean; id: string }) {
  return (
    <fieldset aria-describedby={props.error ? `${props.id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{props.legend}</legend>
      <div className="mt-2 flex flex-wrap gap-2">
        {ALL_DAYS.map((d) => {
          const on = props.days.includes(d);
          return (
            <label
              key={d}
              className={`flex cursor-pointer items-center gap-1.5 rounded-md border px-2.5 py-1.5 text-sm has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-indigo-600 ${on ? 'border-indigo-300 bg-indigo-50 text-indigo-900' : 'border-slate-300 bg-white text-slate-800'}`}
            >
              <input
                type="checkbox"
                checked={on}
                disabled={props.disabled}
                onChange={() => props.onChange(on ? props.days.filter((x) => x !== d) : [...props.days, d].sort((a, b) => a - b))}
                className="size-4 accent-indigo-600"
                aria-label={DAY_NAMES[d].long}
              />
              <span aria-hidden="true">{DAY_NAMES[d].short}</span>
            </label>
          );
        })}
      </div>
      {props.error && (
        <p id={`${props.id}-error`} className="mt-1 text-xs text-red-700">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

// ---- business hours and seats ----------------------------------------------------------------------

const SLOT_LENGTHS = [10, 15, 20, 30, 45, 60, 90, 120];

function HoursForm({ clinic }: { clinic: ClinicSettingsView }) {
  const ids = useId();
  const s = clinic.schedule;
  const save = useSave(clinic.id);
  const [openTime, setOpen] = useState(s.openTime);
  const [closeTime, setClose] = useState(s.closeTime === '24:00' ? '23:59' : s.closeTime);
  const [days, setDays] = useState(s.daysOfWeek);
  const [slot, setSlot] = useState(String(s.slotDurationMinutes));
  const [capacity, setCapacity] = useState(String(s.capacity));
  const e = save.errors;
  const onSubmit = () => {
    const cap = wholeNumber(capacity);
    const errs: FieldErrors = {};
    if (cap === null || cap < 1 || cap > 100) errs['schedule.capacity'] = 'A whole number of seats from 1 to 100.';
    if (days.length === 0) errs['schedule.daysOfWeek'] = 'Choose at least one day.';
    if (!openTime || !closeTime) errs['schedule.openTime'] = 'Give both times.';
    else if (closeTime <= openTime) errs['schedule.closeTime'] = 'Closing must be after opening.';
    if (Object.keys(errs).length) return save.setErrors(errs);
    save.save({ schedule: { openTime, closeTime, daysOfWeek: days, slotDurationMinutes: Number(slot), capacity: cap! } });
  };
  const zone = `${clinic.timezone} (${zoneAbbreviation(clinic.timezone)})`;
  return (
    <SettingsForm
      title="Opening hours and seats"
      description={
        s.hasBusinessHours
          ? `The slots the forward sync builds, in ${zone}. A change shows in the schedule after the next sync.`
          : `No hours given yet: slots follow the PIMS's calendar set-up. Saving hours here makes them the clinic's, in ${zone}.`
      }
      testId="hours-form"
      onSubmit={onSubmit}
      save={save}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${ids}-open`} label="Opens at" error={e['schedule.openTime']}>
          <input {...fieldAria(`${ids}-open`, e['schedule.openTime'])} type="time" step={300} value={openTime} onChange={(ev) => setOpen(ev.target.value)} className={INPUT_CLASS} />
        </Field>
        <Field id={`${ids}-close`} label="Closes at" error={e['schedule.closeTime']}>
          <input {...fieldAria(`${ids}-close`, e['schedule.closeTime'])} type="time" step={300} value={closeTime} onChange={(ev) => setClose(ev.target.value)} className={INPUT_CLASS} />
        </Field>
        <Field id={`${ids}-slot`} label="Slot length" error={e['schedule.slotDurationMinutes']}>
          <select {...fieldAria(`${ids}-slot`, e['schedule.slotDurationMinutes'])} value={slot} onChange={(ev) => setSlot(ev.target.value)} className={INPUT_CLASS}>
            {[...new Set([...SLOT_LENGTHS, s.slotDurationMinutes])]
              .sort((a, b) => a - b)
              .map((m) => (
                <option key={m} value={m}>
                  {m} minutes
                </option>
              ))}
          </select>
        </Field>
        <Field id={`${ids}-capacity`} label="Seats per slot" hint="How many appointments one slot takes." error={e['schedule.capacity']}>
          <input {...fieldAria(`${ids}-capacity`, e['schedule.capacity'], true)} type="number" inputMode="numeric" min={1} max={100} value={capacity} onChange={(ev) => setCapacity(ev.target.value)} className={INPUT_CLASS} />
        </Field>
      </div>
      <DayPicker id={`${ids}-days`} legend="Open on" days={days} onChange={setDays} error={e['schedule.daysOfWeek']} />
    </SettingsForm>
  );
}

// ---- the nightly sync ------------------------------------------------------------------------------

function NightlyForm({ clinic }: { clinic: ClinicSettingsView }) {
  const ids = useId();
  const save = useSave(clinic.id);
  const parsed = nightlyFromCron(clinic.syncCron);
  const [enabled, setEnabled] = useState(clinic.syncEnabled);
  const [time, setTime] = useState(parsed?.time ?? '02:00');
  const [days, setDays] = useState<number[]>(parsed?.days ?? [...ALL_DAYS]);
  const [touched, setTouched] = useState(false);
  const [backward, setBackward] = useState(String(clinic.backwardDays));
  const [forward, setForward] = useState(String(clinic.forwardDays));
  const [reconcile, setReconcile] = useState(String(clinic.reconciliationDays));
  const e = save.errors;
  // A cron this picker did not make stays as it is until the admin picks a time or days.
  const keepCustom = !parsed && !touched;
  let cron: string | null = null;
  try {
    cron = keepCustom ? clinic.syncCron : cronFromNightly({ time, days });
  } catch {
    cron = null;
  }
  const onSubmit = () => {
    const errs: FieldErrors = {};
    const b = wholeNumber(backward);
    const f = wholeNumber(forward);
    const r = wholeNumber(reconcile);
    if (b === null || b < 1 || b > 90) errs.backwardDays = 'Whole days from 1 to 90.';
    if (f === null || f < 1 || f > 90) errs.forwardDays = 'Whole days from 1 to 90.';
    if (r === null || r < 1 || r > 30) errs.reconciliationDays = 'Whole days from 1 to 30.';
    if (!cron) errs.syncCron = days.length === 0 ? 'Choose at least one day.' : 'Choose a time.';
    if (Object.keys(errs).length) return save.setErrors(errs);
    save.save({ syncEnabled: enabled, syncCron: cron!, backwardDays: b!, forwardDays: f!, reconciliationDays: r! });
  };
  const zone = zoneAbbreviation(clinic.timezone);
  const days3 = (id: string, label: string, value: string, set: (v: string) => void, max: number, key: string, hint: string) => (
    <Field id={`${ids}-${id}`} label={label} hint={hint} error={e[key]}>
      <input {...fieldAria(`${ids}-${id}`, e[key], true)} type="number" inputMode="numeric" min={1} max={max} value={value} onChange={(ev) => set(ev.target.value)} className={INPUT_CLASS} />
    </Field>
  );
  return (
    <SettingsForm
      title="Nightly sync"
      description={`A Full Sync once a night, at a time of the clinic's own day (${clinic.timezone}).`}
      testId="nightly-form"
      onSubmit={onSubmit}
      save={save}
    >
      <Switch id={`${ids}-enabled`} label="Sync every night" checked={enabled} onChange={setEnabled} describedBy={`${ids}-enabled-hint`} />
      <p id={`${ids}-enabled-hint`} className="-mt-2 text-xs text-slate-600">
        {enabled ? 'On: the nightly run is planned after saving.' : 'Off: no nightly run; syncs start only from here or the API.'}
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${ids}-time`} label={`Time (${clinic.timezone}, ${zone})`} error={e.syncCron}>
          <input
            {...fieldAria(`${ids}-time`, e.syncCron)}
            type="time"
            step={60}
            value={time}
            onChange={(ev) => {
              setTime(ev.target.value);
              setTouched(true);
            }}
            className={INPUT_CLASS}
          />
        </Field>
        <div className="text-sm">
          <p className="font-medium text-slate-800">Runs</p>
          <p className="mt-2 text-slate-800" data-testid="nightly-description">
            {keepCustom ? 'on a custom schedule' : cron ? describeNightly({ time, days }) : '—'}
          </p>
          <p className="mt-1 text-xs text-slate-600">
            Cron (in the clinic&apos;s zone): <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-slate-900" data-testid="nightly-cron">{cron ?? '—'}</code>
          </p>
        </div>
      </div>
      <DayPicker
        id={`${ids}-days`}
        legend="On"
        days={days}
        onChange={(d) => {
          setDays(d);
          setTouched(true);
        }}
      />
      {keepCustom && (
        <p className="text-xs text-amber-900">This clinic has a custom cron ({clinic.syncCron}); picking a time or days replaces it.</p>
      )}
      <div className="grid gap-4 sm:grid-cols-3">
        {days3('backward', 'Look back (days)', backward, setBackward, 90, 'backwardDays', 'Past visits into cases.')}
        {days3('forward', 'Look ahead (days)', forward, setForward, 90, 'forwardDays', 'Upcoming slots.')}
        {days3('reconcile', 'Reconcile (days)', reconcile, setReconcile, 30, 'reconciliationDays', 'Removed visits.')}
      </div>
    </SettingsForm>
  );
}

// ---- the PIMS log-in -------------------------------------------------------------------------------

function CredentialsForm({ clinic }: { clinic: ClinicSettingsView }) {
  const ids = useId();
  const [secret, setSecret] = useState('');
  // After a save the typed secret is gone from the page.
  const save = useSave(clinic.id, () => setSecret(''));
  const neo = clinic.pimsProvider === 'idexx_neo';
  const [baseUrl, setBaseUrl] = useState(clinic.pims.baseUrl);
  const [companyId, setCompanyId] = useState(clinic.pims.companyId ?? '');
  const [username, setUsername] = useState(clinic.pims.username ?? '');
  const [clientId, setClientId] = useState(clinic.pims.clientId ?? '');
  const [partnerId, setPartnerId] = useState('');
  const e = save.errors;
  const secretKey = neo ? 'password' : 'clientSecret';
  const onSubmit = () => {
    // Only what changed; the stored secret is never sent back, so a new one is typed or none.
    const p: Record<string, string | null> = {};
    if (baseUrl.trim() !== clinic.pims.baseUrl) p.baseUrl = baseUrl.trim();
    if (neo) {
      if (companyId.trim() !== (clinic.pims.companyId ?? '')) p.companyId = companyId.trim() || null;
      if (username !== (clinic.pims.username ?? '')) p.username = username;
    } else {
      if (clientId.trim() !== (clinic.pims.clientId ?? '')) p.clientId = clientId.trim();
      if (partnerId.trim()) p.partnerId = partnerId.trim();
    }
    if (secret) p[secretKey] = secret;
    if (Object.keys(p).length === 0) return save.setErrors({ form: 'Nothing changed: type a new value first.' });
    save.save({ pims: { provider: clinic.pimsProvider, ...p } as UpdateClinicInput['pims'] });
  };
  const text = (id: string, label: string, value: string, set: (v: string) => void, key: string, opts: { type?: string; hint?: string; placeholder?: string } = {}) => (
    <Field id={`${ids}-${id}`} label={label} hint={opts.hint} error={e[`pims.${key}`]}>
      <input
        {...fieldAria(`${ids}-${id}`, e[`pims.${key}`], Boolean(opts.hint))}
        type={opts.type ?? 'text'}
        value={value}
        placeholder={opts.placeholder}
        onChange={(ev) => {
          set(ev.target.value);
          save.setSaved(false);
        }}
        autoComplete={opts.type === 'password' ? 'new-password' : 'off'}
        spellCheck={false}
        className={INPUT_CLASS}
      />
    </Field>
  );
  return (
    <SettingsForm
      title="PIMS log-in"
      description={`How PIMS Sync logs in to ${PROVIDER_LABEL[clinic.pimsProvider]}. The stored ${neo ? 'password' : 'client secret'} is never shown; type a new one to replace it.`}
      testId="credentials-form"
      onSubmit={onSubmit}
      save={save}
      submitLabel="Save log-in"
    >
      <div className="grid gap-4 sm:grid-cols-2">
        {text('base', 'Base URL', baseUrl, setBaseUrl, 'baseUrl', { type: 'url' })}
        {neo ? (
          <>
            {text('company', 'Company ID (optional)', companyId, setCompanyId, 'companyId')}
            {text('username', 'Username', username, setUsername, 'username')}
          </>
        ) : (
          <>
            {text('client', 'Client ID', clientId, setClientId, 'clientId')}
            {text('partner', 'New partner ID', partnerId, setPartnerId, 'partnerId', { hint: 'Leave empty to keep the stored one.' })}
          </>
        )}
        {text('secret', neo ? 'New password' : 'New client secret', secret, setSecret, secretKey, {
          type: 'password',
          hint: 'Leave empty to keep the stored one (needed again when the URL or user changes).',
        })}
      </div>
    </SettingsForm>
  );
}

// ---- name and zone; the voice assistant ------------------------------------------------------------

function ClinicForm({ clinic }: { clinic: ClinicSettingsView }) {
  const ids = useId();
  const save = useSave(clinic.id);
  const [name, setName] = useState(clinic.name);
  const [timezone, setTimezone] = useState(clinic.timezone);
  const e = save.errors;
  const onSubmit = () => {
    const patch: UpdateClinicInput = {};
    if (name.trim() !== clinic.name) patch.name = name.trim();
    if (timezone.trim() !== clinic.timezone) patch.timezone = timezone.trim();
    if (Object.keys(patch).length === 0) return save.setErrors({ form: 'Nothing changed.' });
    save.save(patch);
  };
  return (
    <SettingsForm title="Clinic" description="A new time zone moves the clinic's days, hours and nightly run with it." testId="clinic-form" onSubmit={onSubmit} save={save}>
      <Field id={`${ids}-name`} label="Name" error={e.name}>
        <input {...fieldAria(`${ids}-name`, e.name)} value={name} onChange={(ev) => setName(ev.target.value)} className={INPUT_CLASS} />
      </Field>
      <TimeZoneField id={`${ids}-tz`} value={timezone} onChange={setTimezone} error={e.timezone ?? null} />
    </SettingsForm>
  );
}

function VoiceForm({ clinic }: { clinic: ClinicSettingsView }) {
  const ids = useId();
  const save = useSave(clinic.id);
  const [value, setValue] = useState(clinic.voiceAssistantId ?? '');
  const e = save.errors;
  return (
    <SettingsForm
      title="Voice assistant"
      description="The id of the Vapi assistant that books for this clinic; empty unlinks it."
      testId="voice-form"
      onSubmit={() => save.save({ voiceAssistantId: value.trim() || null })}
      save={save}
    >
      <Field id={`${ids}-voice`} label="Assistant id" error={e.voiceAssistantId}>
        <input {...fieldAria(`${ids}-voice`, e.voiceAssistantId)} value={value} onChange={(ev) => setValue(ev.target.value)} autoComplete="off" spellCheck={false} className={INPUT_CLASS} />
      </Field>
    </SettingsForm>
  );
}
