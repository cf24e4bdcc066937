import { describe, expect, it } from 'vitest';
import { DEFAULT_AFTER_SIGN_IN, safeNextPath } from './safe-redirect';

/** Resolves a Location the way a browser on https://app.example would. */
const landsOn = (location: string) => new URL(location, 'https://app.example/sign-in?next=x');

describe('safeNextPath', () => {
  it.each([
    // The probe's inputs (issue 10, point 2).
    '/.//evil.test',
    '/%2e//evil.test',
    '/x/..//evil.test',
    '/./\\evil.test',
    // The classic ones.
    '//evil',
    '/\\evil',
    '\\\\evil',
    'https://evil',
    'http://evil.test/dashboard/admin/sync',
    // Variations on the same themes.
    '/%2E//evil.test',
    '/%2e%2e//evil.test',
    '/%252e//evil.test',
    '/%2f/evil.test',
    '/%5c/evil.test',
    '/%5cevil.test',
    '/.\\/evil.test',
    '/x/../..//evil.test',
    '/\t/evil.test',
    '/%09/evil.test',
    '/\n/evil.test',
    '/%0d%0a/evil.test',
    '/ /evil\u0000',
    'javascript:alert(1)',
    'data:text/html,hi',
    'evil.test',
    '/%zz',
    '',
    // Never back to sign-in or into the API.
    '/sign-in',
    '/sign-in?next=/dashboard',
    '/x/../sign-in',
    '/%73ign-in',
    '/api/trpc/admin.sync.listClinics',
    '/api',
    '/dashboard/../api/trpc',
  ])('%j goes to the default page', (raw) => {
    const next = safeNextPath(raw);
    expect(next).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(landsOn(next).origin).toBe('https://app.example');
  });

  it('refuses what is not a string or is too long', () => {
    expect(safeNextPath(undefined)).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(safeNextPath(['/dashboard'])).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(safeNextPath(`/${'a'.repeat(600)}`)).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(safeNextPath('//evil', '/elsewhere')).toBe('/elsewhere');
  });

  it.each([
    ['/dashboard/admin/sync', '/dashboard/admin/sync'],
    ['/dashboard/admin/sync?clinic=abc#sync-1', '/dashboard/admin/sync?clinic=abc#sync-1'],
    ['/', '/'],
    ['/dashboard/./admin/sync', '/dashboard/admin/sync'],
    ['/dashboard/x/../admin/sync', '/dashboard/admin/sync'],
    ['/dashboard/%61dmin/sync', '/dashboard/admin/sync'],
    ['/dashboard\\admin\\sync', '/dashboard/admin/sync'],
    ['/signing-off', '/signing-off'],
    ['/apiary', '/apiary'],
    ['/dashboard/admin/sync?q=a b', '/dashboard/admin/sync?q=a%20b'],
  ])('%j is kept as %j', (raw, expected) => {
    const next = safeNextPath(raw);
    expect(next).toBe(expected);
    expect(landsOn(next).origin).toBe('https://app.example');
    // What it answers is a fixed point: the sign-in page and the action both pass it through.
    expect(safeNextPath(next)).toBe(next);
  });
});
