/** Field errors of a form, keyed by the issue's path ('pims.password', 'schedule.closeTime'). */
export type FieldErrors = Record<string, string>;

/** The first message per field of zod issues (or pims-sync's, which carry the same paths). */
export function issuesByField(issues: readonly { path: readonly PropertyKey[] | readonly string[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const key = i.path.map(String).join('.') || 'form';
    out[key] ??= i.message;
  }
  return out;
}
