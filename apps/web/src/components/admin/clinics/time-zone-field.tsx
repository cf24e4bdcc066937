'use client';

import { useEffect, useState } from 'react';
import { Field, INPUT_CLASS, fieldAria } from '@/components/ui/controls';

/** An IANA time zone: typed, with the browser's list of zones as suggestions. */
export function TimeZoneField(props: { id: string; value: string; onChange: (v: string) => void; error: string | null; disabled?: boolean; label?: string }) {
  // Filled after hydration: the server's list of zones may not be the browser's.
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    try {
      setZones(Intl.supportedValuesOf('timeZone'));
    } catch {
      setZones([]);
    }
  }, []);
  return (
    <Field id={props.id} label={props.label ?? 'Time zone'} hint="An IANA zone, such as America/Chicago." error={props.error}>
      <input
        {...fieldAria(props.id, props.error, true)}
        list={`${props.id}-zones`}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        disabled={props.disabled}
        autoComplete="off"
        spellCheck={false}
        className={INPUT_CLASS}
      />
      <datalist id={`${props.id}-zones`}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </Field>
  );
}
