'use client';

import { CreateClinicInput, TestCredentialsInput } from '@pims/sync-contracts';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { Button, Field, INPUT_CLASS, Notice, Panel, PRIMARY_BUTTON, SECONDARY_BUTTON, fieldAria } from '@/components/ui/controls';
import { api } from '@/trpc/react';
import { PROVIDER_LABEL, clinicPath, type ProviderValue } from './clinic-labels';
import { issuesByField, type FieldErrors } from './form-issues';
import { TimeZoneField } from './time-zone-field';

interface Creds {
  baseUrl: string;
  companyId: string;
  username: string;
  password: string;
  partnerId: string;
  clientId: string;
  clientSecret: string;
}

const EMPTY: Creds = { baseUrl: '', companyId: '', username: '', password: '', partnerId: '', clientId: '', clientSecret: '' };

/** The pims object of the contract for the chosen provider (empty optional fields left out). */
function pimsOf(provider: ProviderValue, c: Creds) {
  return provider === 'idexx_neo'
    ? { provider, baseUrl: c.baseUrl.trim(), ...(c.companyId.trim() ? { companyId: c.companyId.trim() } : {}), username: c.username, password: c.password }
    : { provider, baseUrl: c.baseUrl.trim(), partnerId: c.partnerId, clientId: c.clientId, clientSecret: c.clientSecret };
}

type TestState = { kind: 'idle' } | { kind: 'ok'; fingerprint: string } | { kind: 'failed'; message: string; code: string };

/**
 * "Add clinic": the clinic's name and zone and its PIMS log-in for either provider. "Test connection"
 * logs in for real with what is typed, before anything is saved. The secret typed here goes to the
 * server once per request and is never shown again: the clinic's page only takes a new one.
 */
export function ClinicCreateForm() {
  const ids = useId();
  const router = useRouter();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState('');
  const [provider, setProvider] = useState<ProviderValue>('idexx_neo');
  const [creds, setCreds] = useState<Creds>(EMPTY);
  const [voiceAssistantId, setVoiceAssistantId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const [saveError, setSaveError] = useState<string | null>(null);

  // The browser's zone as a first guess (after hydration: the server does not know it).
  useEffect(() => {
    setTimezone((z) => z || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  }, []);

  const body = useMemo(
    () => ({
      name: name.trim(),
      timezone: timezone.trim(),
      pims: pimsOf(provider, creds),
      ...(voiceAssistantId.trim() ? { voiceAssistantId: voiceAssistantId.trim() } : {}),
    }),
    [name, timezone, provider, creds, voiceAssistantId],
  );
  const fingerprint = JSON.stringify([body.timezone, body.pims]);

  const testMutation = api.admin.clinics.testCredentials.useMutation({
    onSuccess: (r) => setTest(r.ok ? { kind: 'ok', fingerprint } : { kind: 'failed', message: r.error.message, code: r.error.code }),
    onError: (err) => setTest({ kind: 'failed', message: err.message, code: 'request_failed' }),
  });
  const create = api.admin.clinics.create.useMutation({
    onSuccess: ({ id }) => {
      setCreds(EMPTY);
      router.push(`${clinicPath(id)}?created=1`);
    },
    onError: (err) => {
      const issues = (err.data as { inputIssues?: { path: string[]; message: string }[] } | undefined)?.inputIssues;
      if (issues?.length) setErrors(issuesByField(issues));
      setSaveError(err.message);
    },
  });

  const set = (k: keyof Creds) => (v: string) => {
    setCreds((c) => ({ ...c, [k]: v }));
    setTest({ kind: 'idle' });
  };

  const onTest = () => {
    const parsed = TestCredentialsInput.safeParse({ timezone: body.timezone, pims: body.pims });
    if (!parsed.success) {
      setErrors(issuesByField(parsed.error.issues));
      setTest({ kind: 'idle' });
      return;
    }
    setErrors({});
    testMutation.mutate(parsed.data);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaveError(null);
    const parsed = CreateClinicInput.safeParse(body);
    if (!parsed.success) {
      setErrors(issuesByField(parsed.error.issues));
      return;
    }
    setErrors({});
    create.mutate(parsed.data);
  };

  const busy = testMutation.isPending || create.isPending;
  const tested = test.kind === 'ok' && test.fingerprint === fingerprint;
  const input = (key: string, label: string, value: string, onChange: (v: string) => void, opts: { type?: string; hint?: string; placeholder?: string; autoComplete?: string } = {}) => {
    const id = `${ids}-${key}`;
    const error = errors[key] ?? null;
    return (
      <Field id={id} label={label} hint={opts.hint} error={error}>
        <input
          {...fieldAria(id, error, Boolean(opts.hint))}
          type={opts.type ?? 'text'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={opts.placeholder}
          autoComplete={opts.autoComplete ?? 'off'}
          spellCheck={false}
          disabled={busy}
          className={INPUT_CLASS}
        />
      </Field>
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label="Add a clinic" data-testid="clinic-create-form">
      <Panel title="Clinic" description="Its name as staff know it, and the time zone its days and opening hours are in." id="clinic-basics">
        <div className="grid gap-4 sm:grid-cols-2">
          {input('name', 'Name', name, setName, { placeholder: 'Riverside Animal Clinic' })}
          <TimeZoneField id={`${ids}-timezone`} value={timezone} onChange={setTimezone} error={errors.timezone ?? null} disabled={busy} />
          {input('voiceAssistantId', 'Voice assistant id (optional)', voiceAssistantId, setVoiceAssistantId, { hint: "The Vapi assistant that books for this clinic." })}
        </div>
      </Panel>

      <Panel title="PIMS log-in" description="The practice-management system this clinic runs, and how PIMS Sync logs in to it." id="clinic-pims">
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">PIMS</legend>
          <div className="mt-2 flex flex-wrap gap-4">
            {(['idexx_neo', 'ezyvet'] as const).map((p) => (
              <label key={p} className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="radio"
                  name={`${ids}-provider`}
                  value={p}
                  checked={provider === p}
                  disabled={busy}
                  onChange={() => {
                    setProvider(p);
                    setTest({ kind: 'idle' });
                    setErrors({});
                  }}
                  className="size-4 accent-indigo-600"
                />
                {PROVIDER_LABEL[p]}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="mt-4 grid gap-4 sm:grid-cols-2" data-testid={`credentials-${provider}`}>
          {input('pims.baseUrl', 'Base URL', creds.baseUrl, set('baseUrl'), { type: 'url', placeholder: provider === 'ezyvet' ? 'https://api.ezyvet.com' : 'https://clinic.neo.example' })}
          {provider === 'idexx_neo' ? (
            <>
              {input('pims.companyId', 'Company ID (optional)', creds.companyId, set('companyId'), { hint: 'Shown on the log-in page of a multi-company Neo.' })}
              {input('pims.username', 'Username', creds.username, set('username'))}
              {input('pims.password', 'Password', creds.password, set('password'), { type: 'password', autoComplete: 'new-password' })}
            </>
          ) : (
            <>
              {input('pims.partnerId', 'Partner ID', creds.partnerId, set('partnerId'))}
              {input('pims.clientId', 'Client ID', creds.clientId, set('clientId'))}
              {input('pims.clientSecret', 'Client secret', creds.clientSecret, set('clientSecret'), { type: 'password', autoComplete: 'new-password' })}
            </>
          )}
        </div>
        <div className="mt-5 flex flex-wrap items-center gap-3">
          <Button onClick={onTest} pending={testMutation.isPending} disabled={busy} className={SECONDARY_BUTTON}>
            Test connection
          </Button>
          <p className="text-sm text-slate-600">Logs in to {PROVIDER_LABEL[provider]} with these details now; nothing is saved.</p>
        </div>
        <div className="mt-3" aria-live="polite" data-testid="test-connection-result">
          {test.kind === 'ok' && tested && (
            <Notice tone="success">Connected: {PROVIDER_LABEL[provider]} accepted the log-in.</Notice>
          )}
          {test.kind === 'failed' && (
            <Notice tone="error">
              <p className="font-medium">The connection failed.</p>
              <p className="mt-1" data-testid="test-connection-message">
                {test.message}
              </p>
            </Notice>
          )}
        </div>
      </Panel>

      {saveError && <Notice tone="error">Could not add the clinic: {saveError}</Notice>}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={busy} aria-busy={create.isPending || undefined} className={PRIMARY_BUTTON}>
          Save clinic
        </button>
        {!tested && <p className="text-sm text-slate-600">Tip: test the connection before saving.</p>}
      </div>
    </form>
  );
}
