import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, BrowserContext, Page } from '@playwright/test';
import pg from 'pg';
import { expect, snap, test } from './fixtures';
import type { StackState } from './stack';

/**
 * The dashboard as the place a clinic is run from, against the real stack (next start of the
 * production build -> pims-sync -> PostgreSQL, the IDEXX Neo simulator as the PIMS): an admin adds
 * a clinic through the form, edits its hours, syncs it and reads its schedule; bookings made through
 * the API show their write-back; a held sync is re-run after a confirmation. Every page is checked
 * with axe-core and saved as a screenshot. Runs after admin-sync.spec.ts (file order), on a clinic
 * of its own, so that file's history counts are not touched.
 */

const CLINICS = '/dashboard/admin/clinics';
const BOOKINGS = '/dashboard/admin/bookings';

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;
let db: pg.Client;
let clinicId = '';
let heldSyncId = '';
/** Every script the browser loaded, checked for secrets at the end. */
const scripts = new Set<string>();
/** Every page visited, for the secrets check. */
const visited = new Set<string>();

test.beforeAll(async ({ browser, stack }) => {
  context = await browser.newContext({ baseURL: stack.webUrl });
  page = await context.newPage();
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.add(r.url());
    if (r.request().resourceType() === 'document' && r.url().startsWith(stack.webUrl)) visited.add(new URL(r.url()).pathname);
  });
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});

test.afterAll(async ({ request, stack }) => {
  await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
  await db?.end();
  await context?.close();
});

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[];

/** No serious or critical axe violation on the page as it is now (WCAG 2.1 A and AA rules). */
async function expectAccessible(p: Page, what: string) {
  const results = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  // The rules ran against this page (not an empty document).
  expect(results.passes.length, `axe on ${what}: rules that passed`).toBeGreaterThan(10);
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
    `axe on ${what}`,
  ).toEqual([]);
}

const api = (stack: StackState) => ({ 'x-api-key': stack.apiKey });

async function waitForSyncEnd(request: APIRequestContext, stack: StackState, syncId: string): Promise<string> {
  let status = '';
  await expect
    .poll(
      async () => {
        status = ((await (await request.get(`${stack.pimsSyncUrl}/api/sync/${syncId}`, { headers: api(stack) })).json()) as { status: string }).status;
        return ['queued', 'in_progress'].includes(status);
      },
      { timeout: 150_000, intervals: [1_000] },
    )
    .toBe(false);
  return status;
}

let phoneSeq = 10;
/** Books a slot through pims-sync's API (as the voice assistant would), with a client the PIMS does not know yet. */
async function bookThroughApi(request: APIRequestContext, stack: StackState, slotId: string, petName: string) {
  const res = await request.post(`${stack.pimsSyncUrl}/api/bookings`, {
    headers: api(stack),
    data: {
      clinicId,
      slotId,
      client: { firstName: 'Maya', lastName: `Okafor${phoneSeq}`, phone: `+1312555${String(1000 + phoneSeq++)}` },
      patient: { name: petName, species: 'Canine' },
      reason: 'Annual check-up',
      source: 'voice',
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { bookingId: string; confirmationNumber: string };
}

/** Open slots of the new clinic (pims-sync's availability), from two days ahead so nothing starts during the test. */
async function openSlots(request: APIRequestContext, stack: StackState) {
  const res = await request.get(`${stack.pimsSyncUrl}/api/clinics/${clinicId}/availability`, { headers: api(stack) });
  expect(res.status()).toBe(200);
  const { slots } = (await res.json()) as { slots: { slotId: string; date: string; startTime: string; capacity: number; taken: number; available: number }[] };
  const soon = slots[0].date;
  return slots.filter((s) => s.date > soon && s.available >= 1);
}

const bookingRow = (confirmation: string) => page.getByTestId('booking-row').filter({ has: page.getByTestId('booking-confirmation').getByText(confirmation, { exact: true }) });

test('sign in; the clinics page lists the registered clinic with its PIMS, zone, last sync and next run', async ({ stack }) => {
  await page.goto(CLINICS);
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard%2Fadmin%2Fclinics$/);
  await expectAccessible(page, 'sign-in');
  await snap(page, '20-sign-in');
  await page.getByLabel('Email').fill(stack.adminEmail);
  await page.getByLabel('Password').fill(stack.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`${CLINICS}$`));

  await expect(page.getByRole('heading', { name: 'Clinics', level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Admin pages' }).getByRole('link', { name: 'Clinics' })).toHaveAttribute('aria-current', 'page');
  const demo = page.getByTestId('clinic-row').filter({ hasText: stack.clinicName });
  await expect(demo).toContainText('IDEXX Neo');
  await expect(demo).toContainText('America/New_York');
  // Its last sync (admin-sync.spec.ts ran some, when it ran first), or that it never synced.
  await expect(demo.getByTestId('clinic-last-sync')).toHaveText(/Never synced|completed|partial|failed|cancelled/);
  // The dispatcher plans the nightly run: shown relative, exact on hover.
  await expect(demo.getByTestId('clinic-next-sync').locator('time')).toHaveText(/^in /, { timeout: 30_000 });
  await expect(demo.getByTestId('clinic-next-sync').locator('time')).toHaveAttribute('title', /\d{4}/);
  await expectAccessible(page, 'clinics');
  await snap(page, '21-clinics');
});

test('Add clinic: "Test connection" refuses a wrong password with the PIMS\'s message; the right one connects and saves', async ({ request, stack }) => {
  const c = stack.newClinic;
  // By keyboard: the Add clinic link.
  await page.getByRole('link', { name: 'Add clinic' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`${CLINICS}/new$`));
  await expect(page.getByRole('heading', { name: 'Add clinic', level: 1 })).toBeVisible();
  await expectAccessible(page, 'add clinic');

  const form = page.getByTestId('clinic-create-form');
  // Both providers' fields: ezyVet asks for its OAuth client, IDEXX Neo for a user.
  await form.getByRole('radio', { name: 'ezyVet' }).check();
  for (const label of ['Base URL', 'Partner ID', 'Client ID', 'Client secret']) await expect(form.getByLabel(label, { exact: true })).toBeVisible();
  await expect(form.getByLabel('Username', { exact: true })).toHaveCount(0);
  await form.getByRole('radio', { name: 'IDEXX Neo' }).check();

  // Nothing typed: the form says what is missing, before any request.
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByLabel('Username', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  const field = (label: string) => form.getByLabel(label, { exact: true });
  await field('Name').fill(c.name);
  await field('Time zone').fill(c.timezone);
  await field('Base URL').fill(stack.simUrl);
  await field('Company ID (optional)').fill(c.companyId);
  await field('Username').fill(c.username);
  await field('Password').fill('Not-The-Password-1!');
  await form.getByRole('button', { name: 'Test connection' }).click();
  const result = form.getByTestId('test-connection-result');
  await expect(result.getByRole('alert')).toContainText('The connection failed.', { timeout: 60_000 });
  // The simulator's own words, as IDEXX Neo shows them on its log-in page.
  await expect(result.getByTestId('test-connection-message')).toContainText('Invalid login details');
  await expect(result).not.toContainText('Not-The-Password-1!');
  await snap(page, '22-add-clinic-refused');
  // Nothing was saved by the test.
  expect(await sql(`select id from public.clinics where name = $1`, [c.name])).toEqual([]);

  await field('Password').fill(c.password);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(result.getByRole('status')).toHaveText('Connected: IDEXX Neo accepted the log-in.', { timeout: 60_000 });
  await expectAccessible(page, 'add clinic, tested');
  await snap(page, '23-add-clinic-connected');
  await form.getByRole('button', { name: 'Save clinic' }).click();

  await expect(page).toHaveURL(new RegExp(`${CLINICS}/[0-9a-f-]{36}\\?created=1$`));
  clinicId = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByTestId('clinic-name')).toHaveText(c.name);
  await expect(page.getByText('Clinic added.')).toBeVisible();
  // Stored encrypted, and the page never shows it.
  const [row] = await sql<{ t: string }>(`select to_jsonb(c)::text as t from public.clinics c where id = $1`, [clinicId]);
  expect(row.t).not.toContain(c.password);
  await expect(page.getByTestId('credentials-form').getByLabel('New password')).toHaveValue('');
  expect(await page.content()).not.toContain(c.password);
  const settings = await (await request.get(`${stack.pimsSyncUrl}/api/clinics/${clinicId}`, { headers: api(stack) })).json();
  expect(settings).toMatchObject({ name: c.name, timezone: c.timezone, pimsProvider: 'idexx_neo', pims: { companyId: c.companyId, username: c.username } });
});

test('edit the hours and seats, and the nightly time in the clinic\'s zone (the cron it makes is shown)', async () => {
  const hours = page.getByTestId('hours-form');
  await expect(hours).toContainText('America/Chicago');
  await hours.getByLabel('Opens at').fill('09:00');
  await hours.getByLabel('Closes at').fill('17:00');
  await hours.getByLabel('Slot length').selectOption('30');
  await hours.getByLabel('Seats per slot').fill('3');
  await hours.getByRole('checkbox', { name: 'Saturday' }).check();
  await hours.getByRole('checkbox', { name: 'Sunday' }).uncheck();
  // A closing time before the opening is refused on the page.
  await hours.getByLabel('Closes at').fill('08:00');
  await hours.getByRole('button', { name: 'Save' }).click();
  await expect(hours.getByText('Closing must be after opening.')).toBeVisible();
  await hours.getByLabel('Closes at').fill('17:00');
  await hours.getByRole('button', { name: 'Save' }).click();
  await expect(hours.getByTestId('saved')).toHaveText('Saved.');
  expect(
    await sql(
      `select open_time::text, close_time::text, days_of_week, slot_duration_minutes, default_capacity from public.clinic_schedule_config where clinic_id = $1`,
      [clinicId],
    ),
  ).toEqual([{ open_time: '09:00:00', close_time: '17:00:00', days_of_week: [1, 2, 3, 4, 5, 6], slot_duration_minutes: 30, default_capacity: 3 }]);

  const nightly = page.getByTestId('nightly-form');
  await expect(nightly.getByTestId('nightly-cron')).toHaveText('0 2 * * *');
  await expect(nightly.getByLabel(/^Time \(America\/Chicago, C[SD]T\)$/)).toHaveValue('02:00');
  await nightly.getByLabel(/^Time/).fill('03:30');
  await nightly.getByRole('checkbox', { name: 'Saturday' }).uncheck();
  await nightly.getByRole('checkbox', { name: 'Sunday' }).uncheck();
  await expect(nightly.getByTestId('nightly-cron')).toHaveText('30 3 * * 1-5');
  await expect(nightly.getByTestId('nightly-description')).toHaveText('Mon–Fri at 03:30');
  await nightly.getByRole('button', { name: 'Save' }).click();
  await expect(nightly.getByTestId('saved')).toHaveText('Saved.');
  expect(await sql(`select sync_cron, sync_enabled from public.clinic_schedule_config where clinic_id = $1`, [clinicId])).toEqual([{ sync_cron: '30 3 * * 1-5', sync_enabled: true }]);
  // The next run is planned at 03:30 Chicago time on a weekday.
  await expect(page.getByTestId('clinic-next-sync')).toContainText(/\b(Mon|Tue|Wed|Thu|Fri), .* 03:30 C[SD]T/, { timeout: 30_000 });

  // The switch: off and on again, by keyboard.
  const toggle = nightly.getByRole('switch', { name: 'Sync every night' });
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await page.keyboard.press('Space');
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expectAccessible(page, 'clinic settings');
  await snap(page, '24-clinic-settings');
});

test('run a Full Sync; the schedule grid shows every slot of the next 14 days as the database holds it', async ({ request, stack }) => {
  await page.getByRole('button', { name: 'Run Full Sync' }).click();
  const progress = page.getByTestId('clinic-sync-progress');
  await expect(progress.getByTestId('sync-status-badge')).toHaveText('completed', { timeout: 150_000 });
  const syncId = (await progress.getAttribute('data-sync-id'))!;
  expect(await waitForSyncEnd(request, stack, syncId)).toBe('completed');
  await expect(page.getByTestId('clinic-last-sync').getByTestId('sync-status-badge')).toHaveText('completed');

  await page.getByRole('navigation', { name: 'Clinic pages' }).getByRole('link', { name: 'Schedule' }).click();
  await expect(page).toHaveURL(new RegExp(`${CLINICS}/${clinicId}/schedule$`));
  const grid = page.getByTestId('schedule-grid');
  await expect(grid).toBeVisible();
  await expect(page.getByTestId('schedule-zone')).toContainText(/America\/Chicago \(C[SD]T\)/);
  const from = (await grid.getAttribute('data-from'))!;
  const to = (await grid.getAttribute('data-to'))!;
  expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(13);
  expect(await grid.getByRole('columnheader').count()).toBe(15);

  // Every cell as the page shows it ("taken/capacity") against the slots in the database.
  const cells = await page.getByTestId('slot-cell').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-date')} ${e.getAttribute('data-start')} ${e.textContent}`));
  const rows = await sql<{ k: string }>(
    `select date::text || ' ' || to_char(start_time, 'HH24:MI') || ' ' || booked_count || '/' || capacity as k
     from public.schedule_slots where clinic_id = $1 and date between $2 and $3 order by date, start_time`,
    [clinicId, from, to],
  );
  expect(rows.length).toBeGreaterThan(100);
  expect([...cells].sort()).toEqual(rows.map((r) => r.k).sort());
  // 09:00-17:00 in 30-minute slots, 3 seats, Monday to Saturday.
  expect(new Set(cells.map((c) => c.split(' ')[1]))).toEqual(new Set(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '12:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']));
  expect(cells.every((c) => c.endsWith('/3'))).toBe(true);
  const days = new Set(cells.map((c) => c.split(' ')[0]));
  expect([...days].every((d) => new Date(`${d}T12:00:00Z`).getUTCDay() !== 0)).toBe(true);

  // Hover: the seats told apart.
  const busy = page.locator('[data-testid="slot-cell"]:not([data-occupancy="free"])').first();
  await busy.hover();
  await expect(page.getByTestId('slot-breakdown')).toHaveText(/^PIMS \d+ · ours 0 · holds 0$/);
  await expect(busy).toHaveAttribute('title', /^PIMS \d+ · ours 0 · holds 0 · \d+ of 3 seats taken$/);
  // Keyboard: one cell in the tab order, the arrows move through the grid.
  const first = page.getByTestId('schedule-grid').locator('td[tabindex="0"]');
  await expect(first).toHaveCount(1);
  await first.focus();
  await page.keyboard.press('ArrowDown');
  const focused = page.locator('td:focus');
  // To the right until a day with slots (the first column may be a Sunday).
  for (let i = 0; i < 3 && (await focused.getAttribute('data-testid')) !== 'slot-cell'; i++) await page.keyboard.press('ArrowRight');
  await expect(focused).toHaveAttribute('data-start', '09:30');
  await expect(focused).toHaveAttribute('tabindex', '0');
  await expect(page.getByTestId('slot-details')).toContainText(/seats? taken/);
  // Colours by occupancy: free and a taken cell differ.
  const colours = await page.getByTestId('slot-cell').evaluateAll((els) => {
    const by: Record<string, string> = {};
    for (const e of els) by[e.getAttribute('data-occupancy')!] ??= getComputedStyle(e).backgroundColor;
    return by;
  });
  expect(colours.free).toBeDefined();
  expect(Object.keys(colours).length).toBeGreaterThan(1);
  expect(new Set(Object.values(colours)).size).toBe(Object.keys(colours).length);
  await expectAccessible(page, 'schedule');
  await snap(page, '25-schedule');
});

test('a booking made through the API shows in Bookings as pending, then written; the grid counts it as ours', async ({ request, stack }) => {
  const [slot] = await openSlots(request, stack);
  // Slow the PIMS so the pending state lasts long enough to be seen.
  await request.post(`${stack.simUrl}/__sim/faults`, { data: { latencyMs: 1_500 } });
  const booking = await bookThroughApi(request, stack, slot.slotId, 'Biscuit');

  await page.getByRole('navigation', { name: 'Admin pages' }).getByRole('link', { name: 'Bookings' }).click();
  await expect(page).toHaveURL(new RegExp(`${BOOKINGS}$`));
  const row = bookingRow(booking.confirmationNumber);
  await expect(row.getByTestId('write-back-badge')).toHaveText('pending');
  await expect(row).toContainText('Okafor');
  await expect(row).toContainText('Biscuit');
  await expect(row).toContainText('Voice assistant');
  await expect(row).toContainText(`${slot.startTime} C`);
  await snap(page, '26-bookings-pending');
  await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
  await expect(row.getByTestId('write-back-badge')).toHaveText('written', { timeout: 60_000 });
  await expect(row.getByTestId('booking-error')).toHaveText('—');
  const [stored] = await sql<{ pims_appointment_id: string | null }>(`select pims_appointment_id from public.bookings where id = $1`, [booking.bookingId]);
  expect(stored.pims_appointment_id).toBeTruthy();

  // On the clinic's schedule the slot holds one of ours (not synced back yet: a seat of its own).
  await page.goto(`${CLINICS}/${clinicId}/schedule`);
  const cell = page.locator(`[data-testid="slot-cell"][data-date="${slot.date}"][data-start="${slot.startTime}"]`);
  await expect(cell).toHaveText(`${slot.taken + 1}/3`);
  await cell.hover();
  await expect(page.getByTestId('slot-breakdown')).toHaveText(new RegExp(`^PIMS ${slot.taken} · ours 1 · holds 0$`));
});

test('a booking the front desk beat in the PIMS ends conflict, with its badge and the reason', async ({ request, stack }) => {
  const slot = (await openSlots(request, stack)).find((s) => s.taken === 0)!;
  // The front desk fills the slot in the PIMS before our write-back reads it.
  for (let i = 1; i <= 3; i++) {
    const res = await request.post(`${stack.simUrl}/__sim/appointments`, {
      data: {
        companyId: stack.newClinic.companyId,
        id: `FD-${slot.date}-${i}`,
        start: `${slot.date}T${slot.startTime}`,
        durationMinutes: 30,
        status: 'confirmed',
        type: 'Exam',
        patient: { id: `FD-P-${i}`, name: `Walk-in ${i}` },
        client: { id: `FD-C-${i}`, firstName: 'Front', lastName: `Desk${i}` },
      },
    });
    expect(res.ok(), await res.text()).toBe(true);
  }
  const booking = await bookThroughApi(request, stack, slot.slotId, 'Pepper');
  await page.goto(BOOKINGS);
  const row = bookingRow(booking.confirmationNumber);
  await expect(row.getByTestId('write-back-badge')).toHaveText('conflict', { timeout: 60_000 });
  await expect(row.getByTestId('booking-error')).toContainText('The PIMS already holds 3 live appointments in this slot (capacity 3)');
  await expect(row.getByRole('button', { name: 'Retry write-back' })).toHaveCount(0);
  // The badge filter finds it.
  await page.getByLabel('Write-back').selectOption('conflict');
  await expect(page.getByTestId('booking-row')).toHaveCount(1);
  await expect(row).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await snap(page, '27-bookings-conflict');
});

test('a write-back the PIMS keeps failing ends failed with the error; "Retry write-back" writes it', async ({ request, stack }) => {
  const [slot] = await openSlots(request, stack);
  await request.post(`${stack.simUrl}/__sim/faults`, { data: { failPaths: ['/appointments/create'] } });
  const booking = await bookThroughApi(request, stack, slot.slotId, 'Mochi');
  await page.goto(BOOKINGS);
  const row = bookingRow(booking.confirmationNumber);
  await expect(row.getByTestId('write-back-badge')).toHaveText('failed', { timeout: 60_000 });
  await expect(row.getByTestId('booking-error')).not.toHaveText('—');
  await expect(row).toContainText('2 attempts');
  await expectAccessible(page, 'bookings');
  await snap(page, '28-bookings-failed');

  await request.post(`${stack.simUrl}/__sim/faults`, { data: {} });
  await row.getByRole('button', { name: 'Retry write-back' }).click();
  await expect(row.getByTestId('write-back-badge')).toHaveText(/pending|written/);
  await expect(row.getByTestId('write-back-badge')).toHaveText('written', { timeout: 60_000 });
  await expect(row.getByRole('button', { name: 'Retry write-back' })).toHaveCount(0);
  // Exactly one appointment in the PIMS for it.
  const sim = (await (await request.get(`${stack.simUrl}/__sim/clinics/${stack.newClinic.companyId}/appointments`)).json()) as {
    appointments: { patient: { name: string } | null; origin: string }[];
  };
  expect(sim.appointments.filter((a) => a.origin === 'created' && a.patient?.name === 'Mochi')).toHaveLength(1);

  // The clinic's own bookings page: the three of this test file, nothing of other clinics.
  await page.goto(`${CLINICS}/${clinicId}/bookings`);
  await expect(page.getByTestId('booking-row')).toHaveCount(3);
  await expect(page.getByRole('navigation', { name: 'Clinic pages' }).getByRole('link', { name: 'Bookings' })).toHaveAttribute('aria-current', 'page');
  await expectAccessible(page, 'clinic bookings');
  await snap(page, '29-clinic-bookings');
});

test('the sync detail page of a held sync shows the held phase in plain words and re-runs it after confirmation', async ({ request, stack }) => {
  // Most of last week's visits vanish from the PIMS: reconciliation would delete too many at once.
  const { appointments } = (await (await request.get(`${stack.simUrl}/__sim/clinics/${stack.newClinic.companyId}/appointments`)).json()) as {
    appointments: { id: string; start: string; patient: unknown; isBlock: boolean; isRoster: boolean }[];
  };
  const { today } = (await (await request.get(`${stack.pimsSyncUrl}/api/clinics/${clinicId}/schedule`, { headers: api(stack) })).json()) as { today: string };
  const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  const lastWeek = appointments.filter((a) => a.patient && !a.isBlock && !a.isRoster && a.start.slice(0, 10) >= weekAgo && a.start.slice(0, 10) < today);
  expect(lastWeek.length).toBeGreaterThan(10);
  const gone = lastWeek.slice(0, Math.ceil(lastWeek.length * 0.6));
  for (const a of gone) expect((await request.delete(`${stack.simUrl}/__sim/appointments/${a.id}?companyId=${stack.newClinic.companyId}`)).ok()).toBe(true);

  await page.goto(`${CLINICS}/${clinicId}`);
  await page.getByRole('button', { name: 'Run Full Sync' }).click();
  const progress = page.getByTestId('clinic-sync-progress');
  await expect(progress.getByTestId('sync-status-badge')).toHaveText('partial', { timeout: 150_000 });
  await progress.getByRole('link', { name: 'Sync details' }).click();
  await expect(page).toHaveURL(/\/dashboard\/admin\/sync\/[0-9a-f-]{36}$/);
  heldSyncId = new URL(page.url()).pathname.split('/').pop()!;

  const detail = page.getByTestId('sync-detail');
  await expect(detail).toHaveAttribute('data-status', 'partial');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Full Sync of ${stack.newClinic.name}`);
  const held = page.locator('[data-testid="held-phase"][data-phase="reconciliation"]');
  await expect(held.getByRole('heading')).toHaveText(`Reconciliation held ${gone.length} deletions`);
  await expect(held.getByTestId('held-explanation')).toContainText(`${gone.length} cases are for appointments that are no longer in the PIMS.`);
  await expect(held.getByTestId('held-explanation')).toContainText('nothing was deleted');
  await expect(page.locator('[data-testid="sync-phase"][data-phase="reconciliation"]').getByTestId('phase-status-badge')).toHaveText('held');
  await expect(page.locator('[data-testid="sync-phase"][data-phase="reconciliation"]').getByTestId('phase-error')).toContainText('mass_delete_held');

  // The timeline: four bars on one axis, their drawn lengths in proportion to the phases' durations.
  const bars = page.getByTestId('timeline-bar');
  await expect(bars).toHaveCount(4);
  await expect(page.locator('[data-testid="timeline-phase"][data-phase="reconciliation"] [data-testid="timeline-bar"]')).toHaveAttribute('data-status', 'held');
  const drawn = await bars.evaluateAll((els) =>
    els.map((e) => ({
      width: e.getBoundingClientRect().width / e.parentElement!.getBoundingClientRect().width,
      duration: Number(e.getAttribute('data-duration-ms')),
      left: e.getBoundingClientRect().left - e.parentElement!.getBoundingClientRect().left,
    })),
  );
  const longest = drawn.reduce((a, b) => (b.duration > a.duration ? b : a));
  const total = longest.duration / longest.width;
  for (const b of drawn) if (b.width > 0.02) expect(Math.abs(b.width - b.duration / total)).toBeLessThan(0.01);
  // In order along the axis.
  expect(drawn.map((b) => b.left)).toEqual([...drawn.map((b) => b.left)].sort((a, b) => a - b));
  // Nothing deleted yet.
  expect(await sql(`select count(*)::int as n from public.cases where clinic_id = $1 and deleted_at is not null`, [clinicId])).toEqual([{ n: 0 }]);
  await expectAccessible(page, 'sync detail (held)');
  await snap(page, '30-sync-detail-held');

  // The confirmation: Escape leaves it without doing anything (keyboard), then confirm.
  const rerun = held.getByRole('button', { name: 'Re-run allowing deletes' });
  await rerun.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toHaveText(`Delete ${gone.length} cases?`);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(rerun).toBeFocused();
  await rerun.click();
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'sync detail, confirmation dialog');
  await snap(page, '31-sync-rerun-confirm');
  await dialog.getByRole('button', { name: 'Re-run and delete' }).click();

  await expect(page).not.toHaveURL(new RegExp(heldSyncId));
  const newSyncId = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByTestId('sync-detail')).toHaveAttribute('data-status', 'completed', { timeout: 150_000 });
  await expect(page.locator('[data-testid="sync-phase"][data-phase="reconciliation"]').getByTestId('phase-status-badge')).toHaveText('completed');
  await expect(page.getByTestId('held-phase')).toHaveCount(0);
  const audit = (await (await request.get(`${stack.pimsSyncUrl}/api/sync/${newSyncId}`, { headers: api(stack) })).json()) as {
    syncType: string;
    options: Record<string, unknown>;
    triggeredBy: string;
    phases: { name: string; stats: Record<string, number> }[];
  };
  expect(audit).toMatchObject({ syncType: 'full', triggeredBy: 'admin', options: { allowMassDelete: true } });
  expect(audit.phases.find((p) => p.name === 'reconciliation')?.stats.casesDeleted).toBe(gone.length);
  expect(await sql(`select count(*)::int as n from public.cases where clinic_id = $1 and deleted_at is not null`, [clinicId])).toEqual([{ n: gone.length }]);
  await snap(page, '32-sync-detail-rerun');
});

test('the sync page links to the sync detail; every page is reachable from the navigation', async () => {
  await page.getByRole('navigation', { name: 'Admin pages' }).getByRole('link', { name: 'Sync' }).click();
  await expect(page.getByRole('heading', { name: 'Clinic sync' })).toBeVisible();
  const row = page.getByTestId('history-row').first();
  await row.getByRole('button', { name: /Show phases/ }).click();
  await page.getByTestId('sync-details-link').click();
  await expect(page).toHaveURL(/\/dashboard\/admin\/sync\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('timeline-bar').first()).toBeVisible();
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Sync' }).click();
  await expect(page).toHaveURL(/\/dashboard\/admin\/sync$/);
  await expectAccessible(page, 'sync');
  await snap(page, '33-sync');

  await page.goto(`${CLINICS}/${clinicId}`);
  await expectAccessible(page, 'clinic overview');
  await page.getByRole('navigation', { name: 'Admin pages' }).getByRole('link', { name: 'Clinics' }).click();
  const riverside = page.getByTestId('clinic-row').filter({ hasText: 'Riverside Animal Clinic' });
  await expect(riverside).toContainText('America/Chicago');
  await expect(riverside.getByTestId('clinic-last-sync').getByTestId('sync-type-badge')).toHaveText('Full Sync');
  await expect(riverside.getByTestId('clinic-next-sync').locator('time')).toHaveText(/^in /);
  await snap(page, '34-clinics-after');
});

test('empty and error states: an unknown clinic and sync say so with the API\'s message; filters without matches say so', async () => {
  await page.goto(`${CLINICS}/00000000-0000-4000-8000-000000000000`);
  await expect(page.getByTestId('load-error')).toContainText('Could not load the clinic: No clinic with this id');
  await page.goto('/dashboard/admin/sync/00000000-0000-4000-8000-000000000000');
  await expect(page.getByTestId('load-error')).toContainText('Could not load the sync:');
  await page.goto(BOOKINGS);
  await page.getByLabel('Write-back').selectOption('needs_review');
  await expect(page.getByTestId('bookings-empty')).toHaveText('No bookings match these filters.');
  await page.goto(`${CLINICS}/${clinicId}/schedule`);
  const grid = page.getByTestId('schedule-grid');
  const from = (await grid.getAttribute('data-from'))!;
  await page.getByRole('button', { name: 'Later' }).click();
  await expect(grid).not.toHaveAttribute('data-from', from);
  // Past the forward window (14 days): no slots there yet.
  await page.getByRole('button', { name: 'Later' }).click();
  await expect(page.getByTestId('schedule-empty')).toBeVisible();
  await page.getByRole('button', { name: 'Today' }).click();
  await expect(page.getByTestId('schedule-grid')).toBeVisible();
});

test('no secret in any page or script the browser got', async ({ request, stack }) => {
  const secrets = [stack.apiKey, stack.authJwtSecret, stack.adminPassword, stack.newClinic.password, 'Sim-Pass-2026!'];
  for (const path of [
    '/sign-in',
    '/dashboard/admin/sync',
    `/dashboard/admin/sync/${heldSyncId}`,
    CLINICS,
    `${CLINICS}/new`,
    `${CLINICS}/${clinicId}`,
    `${CLINICS}/${clinicId}/schedule`,
    `${CLINICS}/${clinicId}/bookings`,
    BOOKINGS,
  ])
    visited.add(path);
  expect(scripts.size).toBeGreaterThan(3);
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  for (const path of visited) {
    const html = await (await request.get(`${stack.webUrl}${path}`, { headers: { cookie } })).text();
    for (const s of secrets) expect(html.includes(s), `${path} holds a secret`).toBe(false);
  }
  for (const url of scripts) {
    const js = await (await request.get(url)).text();
    for (const s of secrets) expect(js.includes(s), `${url} holds a secret`).toBe(false);
  }
});
