import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './server';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

/** CHROMIUM_PATH, else Playwright's own Chromium, else /usr/bin/chromium (CONTRACT section 1). */
function findChromium(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // no browser bundled with Playwright
  }
  return '/usr/bin/chromium';
}
const executablePath = findChromium();
if (!existsSync(executablePath))
  console.warn(`No Chromium at ${executablePath}: the schedule browser test is skipped.`);

let sim: Simulator;
let browser: Browser;

describe.skipIf(!existsSync(executablePath))('schedule page in a real Chromium', () => {
  beforeAll(async () => {
    sim = await startSimulator({ now: FIXED_NOW, scenario: { clinics: [smallClinic()] } });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
  });

  it('logs in through the form and renders the events fetched by the page script', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${sim.url}/login/`);
      await page.fill('input[name="company_id"]', CREDS.companyId);
      await page.fill('input[name="username"]', CREDS.username);
      await page.fill('input[name="password"]', CREDS.password);
      await Promise.all([page.waitForURL('**/dashboard'), page.click('#login_button')]);
      expect(await page.locator('#dashboard_shell').count()).toBe(1);
      expect(await page.locator('#dashboard_shell h1').textContent()).toBe('Test Clinic');

      const calendarCalls: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/appointments/getCalendarEventData'))
          calendarCalls.push(r.headers()['accept'] ?? '');
      });
      await page.goto(`${sim.url}/schedule?date=2026-11-20`);
      await page.waitForSelector('#calendar[data-loaded="true"]', { timeout: 10_000 });
      expect(calendarCalls).toEqual(['application/json']);
      expect(await page.locator('#event_count').textContent()).toBe('4 events');
      const ids = await page
        .locator('.fc-event')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')));
      expect(ids.sort()).toEqual(['A-1001', 'A-1002', 'B-1', 'R-1']);
      expect(await page.locator('.fc-event[data-event-id="A-1001"] .fc-title').textContent()).toBe(
        'Biscuit; Lopez, Ana',
      );
      expect(await page.locator('.fc-event[data-event-id="A-1001"] .fc-status').textContent()).toBe(
        'Finalized',
      );
      expect(await page.locator('.fc-event-block').count()).toBe(1);
      expect(await page.locator('.fc-event-roster').count()).toBe(1);

      // The page's own fetch sees an expired session as the login page and says so.
      sim.expireSessions();
      await page.goto(`${sim.url}/schedule?date=2026-11-20`);
      expect(page.url()).toContain('/login/');
    } finally {
      await context.close();
    }
  });
});
