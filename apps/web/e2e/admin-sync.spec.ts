import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { expect, snap, test } from './fixtures';

/**
 * The admin dashboard against the real stack: next start (production build) -> pims-sync ->
 * PostgreSQL, with the IDEXX Neo simulator as the clinic's PIMS.
 */

const PAGE = '/dashboard/admin/sync';
const SESSION_COOKIE = 'pims_admin_session';

test.describe('without an admin session', () => {
  test('the page redirects to sign-in and tRPC procedures are refused', async ({ page, request, stack }) => {
    await page.goto(PAGE);
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard%2Fadmin%2Fsync$/);
    await expect(page.getByRole('heading', { name: 'Sign in to PIMS Sync' })).toBeVisible();
    await snap(page, '01-sign-in-redirect');

    // No cookie: a query and a mutation answer 401 UNAUTHORIZED, and nothing reaches pims-sync.
    const q = await request.get('/api/trpc/admin.sync.listClinics');
    expect(q.status()).toBe(401);
    expect((await q.json()).error.data.code).toBe('UNAUTHORIZED');
    const m = await request.post('/api/trpc/admin.sync.triggerFullSync', { data: { clinicId: stack.clinicId } });
    expect(m.status()).toBe(401);
    // A direct GET of the page (no browser) is a redirect too.
    const direct = await request.get(PAGE, { maxRedirects: 0 });
    expect([303, 307, 302]).toContain(direct.status());
    expect(direct.headers()['location']).toContain('/sign-in');

    // Mutations are POST only, even with a valid admin session.
    const adminToken = await token(stack.authJwtSecret, 'admin');
    const viaGet = await request.get(`/api/trpc/admin.sync.triggerFullSync?input=${encodeURIComponent(JSON.stringify({ clinicId: stack.clinicId }))}`, {
      headers: { cookie: `${SESSION_COOKIE}=${adminToken}` },
    });
    expect(viaGet.status()).toBe(405);
    const active = await request.get(`${stack.pimsSyncUrl}/api/sync/active`, { headers: { 'x-api-key': stack.apiKey } });
    expect((await active.json()).items).toEqual([]);
  });

  test('a valid token without the admin role is refused (FORBIDDEN) and sent to sign-in', async ({ browser, request, stack }) => {
    const userToken = await token(stack.authJwtSecret, 'user');
    const res = await request.get('/api/trpc/admin.sync.listClinics', { headers: { cookie: `${SESSION_COOKIE}=${userToken}` } });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.data.code).toBe('FORBIDDEN');

    const forged = await token('not-the-secret-not-the-secret-not-the-secret', 'admin');
    const forgedRes = await request.get('/api/trpc/admin.sync.listClinics', { headers: { cookie: `${SESSION_COOKIE}=${forged}` } });
    expect(forgedRes.status()).toBe(401);

    const context = await browser.newContext();
    await context.addCookies([{ name: SESSION_COOKIE, value: userToken, url: stack.webUrl, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}${PAGE}`);
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByText('not an admin')).toBeVisible();
    await context.close();
  });

  test('sign-in never sends the admin off the product, whatever `next` says', async ({ browser, stack }) => {
    for (const evil of ['/.//evil.test', '/%2e//evil.test', '/x/..//evil.test', '/./\\evil.test', '//evil.test', 'https://evil.test']) {
      const context = await browser.newContext({ baseURL: stack.webUrl });
      const page = await context.newPage();
      await page.goto(`/sign-in?next=${encodeURIComponent(evil)}`);
      // The page hands the form a safe path already...
      const next = page.locator('input[name="next"]');
      await expect(next).toHaveValue(PAGE);
      // ...and the action checks again what a forged form posts.
      await next.evaluate((el, value) => ((el as HTMLInputElement).value = value), evil);
      await page.getByLabel('Email').fill(stack.adminEmail);
      await page.getByLabel('Password').fill(stack.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(`${stack.webUrl}${PAGE}`);
      await expect(page.getByRole('heading', { name: 'Clinic sync' })).toBeVisible();
      await context.close();
    }
  });

  test('a wrong password is refused with a message', async ({ page, stack }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(stack.adminEmail);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Invalid' })).toHaveText('Invalid email or password.');
    await expect(page).toHaveURL(/\/sign-in/);
    await snap(page, '02-sign-in-refused');
  });
});

test.describe('the admin dashboard', () => {
  // One signed-in page walks through the scenario, step by step.
  test.describe.configure({ mode: 'serial' });

  let context: BrowserContext;
  let page: Page;

  test.beforeAll(async ({ browser, stack }) => {
    context = await browser.newContext({ baseURL: stack.webUrl });
    page = await context.newPage();
  });
  test.afterAll(async ({ request, stack }) => {
    await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
    await context.close();
  });

  const panel = () => page.getByTestId('sync-trigger-panel');
  const active = () => page.getByTestId('active-sync-operations');
  const history = () => page.getByTestId('sync-history');
  const fullSyncButton = () => panel().getByRole('button', { name: /^Full Sync \(Past \d+d \+ Next \d+d\)$/ });
  const firstRow = () => history().getByTestId('history-row').first();

  async function waitUntilIdle() {
    await expect(active().getByTestId('no-active-syncs')).toBeVisible({ timeout: 150_000 });
  }

  test('sign in', async ({ stack }) => {
    await page.goto(PAGE);
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByLabel('Email').fill(stack.adminEmail);
    await page.getByLabel('Password').fill(stack.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
    await expect(page.getByRole('heading', { name: 'Clinic sync' })).toBeVisible();
    await expect(page.getByTestId('signed-in-as')).toHaveText(stack.adminEmail);

    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    await expect(active().getByTestId('no-active-syncs')).toBeVisible();
    await expect(history().getByTestId('history-empty')).toHaveText('No syncs yet. Start one with Full Sync above.');
    await snap(page, '03-dashboard-empty');
  });

  test('the active list refreshes itself at least every 2 seconds', async () => {
    let polls = 0;
    const count = (r: { url(): string }) => {
      if (r.url().includes('admin.sync.getActiveSyncs')) polls++;
    };
    page.on('request', count);
    await page.waitForTimeout(4_500);
    page.off('request', count);
    expect(polls).toBeGreaterThanOrEqual(2);
  });

  test('choose the clinic; the Full Sync label follows the days', async ({ stack }) => {
    await panel().getByLabel('Clinic').selectOption({ label: stack.clinicName });
    await expect(fullSyncButton()).toHaveText('Full Sync (Past 14d + Next 14d)');
    await panel().getByLabel('Look back (days)').fill('7');
    await panel().getByLabel('Look ahead (days)').fill('30');
    await expect(fullSyncButton()).toHaveText('Full Sync (Past 7d + Next 30d)');
    await panel().getByLabel('Look back (days)').fill('91');
    await expect(panel().getByText('Whole days from 1 to 90.')).toBeVisible();
    await expect(fullSyncButton()).toBeDisabled();
    await panel().getByLabel('Look back (days)').fill('14');
    await panel().getByLabel('Look ahead (days)').fill('14');
    await expect(page.getByRole('button', { name: 'Full Sync (Past 14d + Next 14d)' })).toBeEnabled();
  });

  test('Full Sync: every button is disabled while pending, the sync runs live, then lands in history', async ({ request, stack }) => {
    // Slow the PIMS a little so the run is long enough to watch, and hold the trigger request
    // briefly so the pending state can be seen.
    await request.post(`${stack.simUrl}/__sim/faults`, { data: { latencyMs: 120 } });
    await page.route('**/api/trpc/admin.sync.triggerFullSync**', async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    });
    const button = page.getByRole('button', { name: 'Full Sync (Past 14d + Next 14d)' });
    const answered = page.waitForResponse((r) => r.url().includes('admin.sync.triggerFullSync'));
    await button.click();

    // The pressed button's spinner shows the pending render; then every button is disabled.
    await expect(button.getByTestId('spinner')).toBeVisible();
    const buttons = panel().getByRole('button');
    expect(await buttons.count()).toBeGreaterThanOrEqual(2);
    for (const b of await buttons.all()) await expect(b).toBeDisabled();
    await expect(button).toHaveAttribute('aria-busy', 'true');
    await snap(page, '04-full-sync-pending');
    await answered;
    await page.unroute('**/api/trpc/admin.sync.triggerFullSync**');

    await expect(panel().getByTestId('trigger-feedback')).toHaveText(/Full sync queued for Happy Paws Veterinary\./);
    await expect(button).toBeEnabled();

    // Active Sync Operations: the clinic, the type, the phase "Phase n of 4: ...", progress, elapsed.
    const item = active().getByTestId('active-sync').first();
    await expect(item).toContainText(stack.clinicName);
    await expect(item.getByTestId('sync-type-badge')).toHaveText('Full Sync');
    await expect(item.getByTestId('active-sync-phase')).toHaveText(/^Phase [1-4] of 4: (Backward inbound|Case enrichment|Forward inbound|Reconciliation)$/, {
      timeout: 60_000,
    });
    await expect(item.getByRole('progressbar')).toBeVisible();
    await expect(item.getByRole('button', { name: /^Cancel Full Sync for/ })).toBeEnabled();
    await snap(page, '05-active-sync');

    // A second click while it runs: "already running", with a link to the running sync.
    await button.click();
    const feedback = panel().getByTestId('trigger-feedback');
    await expect(feedback).toContainText('A sync is already running for this clinic');
    const syncId = await item.getAttribute('data-sync-id');
    await expect(feedback.getByRole('link', { name: 'View the running sync' })).toHaveAttribute('href', `#sync-${syncId}`);
    await snap(page, '06-already-running');

    // It ends: it leaves the active list and History shows it, without a reload.
    await waitUntilIdle();
    const row = history().locator(`[data-testid="history-row"][data-sync-id="${syncId}"]`);
    await expect(row.getByTestId('sync-status-badge')).toHaveText('completed');
    const badge = row.getByTestId('sync-type-badge');
    await expect(badge).toHaveText('Full Sync');
    await expect(badge).toHaveClass(/bg-purple-100/);
    expect(await backgroundOf(badge)).toBe(await probeBackground(page, 'bg-purple-100'));
    await expect(row.getByTestId('history-error')).toHaveText('—');
    // Relative start time, exact time on hover.
    const started = row.locator('time').first();
    await expect(started).toHaveText(/ago|just now/);
    await expect(started).toHaveAttribute('title', /\d{4}/);
    const found = Number(await row.locator('td').nth(6).innerText());
    expect(found).toBeGreaterThan(0);

    // Expand: four phases with their stats.
    await row.getByRole('button', { name: /Show phases/ }).click();
    const phases = history().getByTestId('sync-phase');
    await expect(phases).toHaveCount(4);
    await expect(phases.nth(0)).toContainText('1. Backward inbound');
    await expect(phases.nth(1)).toContainText('2. Case enrichment');
    await expect(phases.nth(0)).toContainText('Appointments found');
    for (const p of await phases.all()) await expect(p.getByTestId('phase-status-badge')).toHaveText('completed');
    await snap(page, '07-history-completed');
    await row.getByRole('button', { name: /Hide phases/ }).click();
    await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
  });

  test('Advanced: keyboard-operable collapsible, mass-delete warning, Reconcile Only', async () => {
    const toggle = panel().getByRole('button', { name: 'Advanced: Individual Sync Operations' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    for (const name of ['Inbound Only', 'Cases Only', 'Reconcile Only']) await expect(panel().getByRole('button', { name })).toBeVisible();

    const massDelete = panel().getByRole('switch', { name: 'Allow mass delete' });
    await expect(massDelete).toHaveAttribute('aria-checked', 'false');
    await massDelete.click();
    await expect(massDelete).toHaveAttribute('aria-checked', 'true');
    await expect(panel().getByText(/the safety guard is off/)).toBeVisible();
    await snap(page, '08-advanced-mass-delete-warning');
    await massDelete.click();
    await expect(massDelete).toHaveAttribute('aria-checked', 'false');

    // The one loading state covers the individual operations too.
    await page.route('**/api/trpc/admin.sync.triggerReconciliation**', async (route) => {
      await new Promise((r) => setTimeout(r, 1_000));
      await route.continue();
    });
    const answered = page.waitForResponse((r) => r.url().includes('admin.sync.triggerReconciliation'));
    const reconcile = panel().getByRole('button', { name: 'Reconcile Only' });
    await reconcile.click();
    await expect(reconcile.getByTestId('spinner')).toBeVisible();
    const buttons = await panel().getByRole('button').all();
    expect(buttons.length).toBeGreaterThanOrEqual(5);
    for (const b of buttons) await expect(b).toBeDisabled();
    await expect(panel().getByRole('switch')).toBeDisabled();
    await expect(panel().getByRole('button', { name: 'Inbound Only' }).getByTestId('spinner')).toHaveCount(0);
    await answered;
    await page.unroute('**/api/trpc/admin.sync.triggerReconciliation**');
    await expect(panel().getByTestId('trigger-feedback')).toHaveText(/Reconciliation queued for Happy Paws Veterinary\./);
    await waitUntilIdle();
    await expect(firstRow().getByTestId('sync-type-badge')).toHaveText('Reconciliation');
    await expect(firstRow().getByTestId('sync-status-badge')).toHaveText('completed');
    // Each type has its own colour; Full Sync's purple is its own.
    const reconcileBg = await backgroundOf(firstRow().getByTestId('sync-type-badge'));
    const fullBg = await backgroundOf(history().locator('[data-sync-type="full"]').first());
    expect(reconcileBg).not.toBe(fullBg);
    await snap(page, '09-reconcile-completed');
  });

  test('with the PIMS failing consultations, a Full Sync ends partial with the error in the Error column', async ({ request, stack }) => {
    const faults = await request.post(`${stack.simUrl}/__sim/faults`, { data: { failPaths: ['consultations'] } });
    expect(faults.ok()).toBe(true);
    // The consultations of the past 14 days are stored and unchanged, so a sync would not fetch them
    // again (idempotence); reaching 21 days back needs consultations it has not fetched yet.
    await panel().getByLabel('Look back (days)').fill('21');
    await page.getByRole('button', { name: 'Full Sync (Past 21d + Next 14d)' }).click();
    await expect(panel().getByTestId('trigger-feedback')).toHaveText(/Full sync queued/);
    await expect(active().getByTestId('active-sync')).toHaveCount(1);
    await waitUntilIdle();

    const row = firstRow();
    await expect(row.getByTestId('sync-type-badge')).toHaveText('Full Sync');
    await expect(row.getByTestId('sync-status-badge')).toHaveText('partial');
    const error = row.getByTestId('history-error');
    await expect(error).not.toHaveText('—');
    const message = (await error.innerText()).trim();
    expect(message.length).toBeGreaterThan(5);
    await expect(error.locator('span')).toHaveAttribute('title', /.+/);

    await row.getByRole('button', { name: /Show phases/ }).click();
    const enrichment = history().locator('[data-testid="sync-phase"][data-phase="case_enrichment"]');
    await expect(enrichment.getByTestId('phase-status-badge')).toHaveText('failed');
    await expect(enrichment.getByTestId('phase-error')).toBeVisible();
    await expect(history().locator('[data-testid="sync-phase"][data-phase="forward_inbound"]').getByTestId('phase-status-badge')).toHaveText('completed');
    await snap(page, '10-partial-with-error');
    await row.getByRole('button', { name: /Hide phases/ }).click();
    await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
    await panel().getByLabel('Look back (days)').fill('14');
  });

  test('history filters by type and status', async () => {
    const h = history();
    await h.getByLabel('Status').selectOption('partial');
    await expect(h.getByTestId('history-row')).toHaveCount(1);
    await expect(h.getByTestId('sync-status-badge')).toHaveText('partial');
    await h.getByLabel('Status').selectOption('');
    await h.getByLabel('Type').selectOption('reconciliation');
    await expect(h.getByTestId('history-row')).toHaveCount(1);
    await expect(h.getByTestId('sync-type-badge')).toHaveText('Reconciliation');
    await snap(page, '11-history-filtered');
    await h.getByRole('button', { name: 'Clear filters' }).click();
    await expect(h.getByTestId('history-row')).toHaveCount(3);
  });

  test('Cancel stops a running sync', async ({ request, stack }) => {
    await request.post(`${stack.simUrl}/__sim/faults`, { data: { latencyMs: 400 } });
    await page.getByRole('button', { name: 'Full Sync (Past 14d + Next 14d)' }).click();
    const item = active().getByTestId('active-sync').first();
    const syncId = await item.getAttribute('data-sync-id');
    // The button says "Cancelling…" until the run stops (which may be at once when still queued).
    await item.getByRole('button', { name: /^Cancel Full Sync for/ }).click();
    await waitUntilIdle();
    const row = history().locator(`[data-testid="history-row"][data-sync-id="${syncId}"]`);
    await expect(row.getByTestId('sync-status-badge')).toHaveText('cancelled');
    await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
    await snap(page, '12-cancelled');
  });

  test('history pages with a cursor', async ({ request, stack }) => {
    // Fill more than a page (10) through pims-sync's API, one sync at a time.
    const api = { 'x-api-key': stack.apiKey };
    let lastSyncId = '';
    for (let i = 0; i < 7; i++) {
      const res = await request.post(`${stack.pimsSyncUrl}/api/sync/reconcile`, { headers: api, data: { clinicId: stack.clinicId, lookbackDays: 1 } });
      expect(res.status()).toBe(202);
      lastSyncId = ((await res.json()) as { syncId: string }).syncId;
      await expect
        .poll(async () => ((await (await request.get(`${stack.pimsSyncUrl}/api/sync/active`, { headers: api })).json()) as { items: unknown[] }).items.length, {
          timeout: 60_000,
        })
        .toBe(0);
    }
    const h = history();
    // The history has caught up with the last sync (it refreshes when a sync ends).
    await expect(h.getByTestId('history-row').first()).toHaveAttribute('data-sync-id', lastSyncId, { timeout: 30_000 });
    await expect(h.getByTestId('history-row')).toHaveCount(10);
    await expect(h.getByText('Page 1 · 10 syncs')).toBeVisible();
    await expect(h.getByRole('button', { name: 'Previous' })).toBeDisabled();
    const firstOnPage1 = await h.getByTestId('history-row').first().getAttribute('data-sync-id');
    await h.getByRole('button', { name: 'Next' }).click();
    await expect(h.getByText('Page 2 · 1 sync')).toBeVisible();
    await expect(h.getByTestId('history-row')).toHaveCount(1);
    await expect(h.getByRole('button', { name: 'Next' })).toBeDisabled();
    // The oldest sync: the first Full Sync of this run.
    await expect(h.getByTestId('history-row').first().getByTestId('sync-type-badge')).toHaveText('Full Sync');
    await snap(page, '13-history-page-2');
    await h.getByRole('button', { name: 'Previous' }).click();
    await expect(h.getByTestId('history-row').first()).toHaveAttribute('data-sync-id', firstOnPage1!);
  });

  test('sign out ends the session: the token is refused afterwards, even replayed', async ({ request, stack }) => {
    const before = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    await page.goto(PAGE);
    await expect(page).toHaveURL(/\/sign-in/);

    // The old token (8 h left on its clock) is revoked server-side, not only dropped by this browser.
    const replay = await request.get('/api/trpc/admin.sync.listClinics', { headers: { cookie: `${SESSION_COOKIE}=${before.value}` } });
    expect(replay.status()).toBe(401);
    await context.addCookies([{ name: SESSION_COOKIE, value: before.value, url: stack.webUrl, httpOnly: true, sameSite: 'Lax' }]);
    await page.goto(PAGE);
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByRole('heading', { name: 'Sign in to PIMS Sync' })).toBeVisible();
  });
});

/** A Supabase-shaped session token signed with `secret`, with app_metadata.role = `role`. */
async function token(secret: string, role: string): Promise<string> {
  return new SignJWT({ email: `${role}@example.com`, role: 'authenticated', app_metadata: { role }, session_id: randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(randomUUID())
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

async function backgroundOf(locator: Locator): Promise<string> {
  return locator.evaluate((el) => getComputedStyle(el).backgroundColor);
}

/** The computed background of a Tailwind class (colours come back as lab(); compare, not match literals). */
async function probeBackground(page: Page, className: string): Promise<string> {
  return page.evaluate((cls) => {
    const el = document.createElement('span');
    el.className = cls;
    document.body.append(el);
    const bg = getComputedStyle(el).backgroundColor;
    el.remove();
    return bg;
  }, className);
}
