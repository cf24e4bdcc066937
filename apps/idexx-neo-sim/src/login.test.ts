import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './server';
import { NeoHttpClient } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    now: FIXED_NOW,
    scenario: {
      clinics: [
        smallClinic(),
        smallClinic({
          companyId: '9001',
          name: 'Second Clinic',
          username: 'desk2',
          password: 'Other-Pass-2026!',
          appointments: [],
          consultations: [],
        }),
        smallClinic({
          companyId: '7777',
          name: 'MFA Clinic',
          username: 'mfauser',
          password: 'Mfa-Pass-2026!',
          mfa: true,
          appointments: [],
          consultations: [],
        }),
      ],
    },
  });
});
afterAll(() => sim.close());

describe('login form', () => {
  it('serves the form with company_id, username, password and the hidden tokens, bound to a neo_csrf cookie', async () => {
    const client = new NeoHttpClient(sim.url);
    const { html, csrf, se } = await client.loginForm();
    expect(html).toContain('<form id="login_form" method="post" action="/login"');
    expect(html).toContain('name="company_id"');
    expect(html).toContain('name="username"');
    expect(html).toMatch(/<input type="password"[^>]*name="password"/);
    expect(html).toContain('<input type="hidden" name="submitted" value="TRUE">');
    expect(html).toContain('<button type="submit" id="login_button"');
    expect(csrf).toMatch(/^[0-9a-f]{20,}$/);
    expect(se).toMatch(/^[0-9a-f]+$/);
    expect(client.cookies.get('neo_csrf')).toBeTruthy();
    // The same pre-login cookie keeps its token.
    const again = await client.loginForm();
    expect(again.csrf).toBe(csrf);
  });

  it('logs in: 302 to /dashboard with an HttpOnly NEOSESSID; the dashboard shows the shell and the clinic', async () => {
    const client = new NeoHttpClient(sim.url);
    const res = await client.login(CREDS);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('NEOSESSID='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Path=\//);
    const dash = await client.get('/dashboard');
    expect(dash.status).toBe(200);
    const html = await dash.text();
    expect(html).toContain('<div id="dashboard_shell"');
    expect(html).toContain('Test Clinic');
    const data = await client.getJson('/appointments/getAppointmentView');
    expect(data.status).toBe(200);
    expect(data.headers.get('content-type')).toContain('application/json');
  });

  it('accepts the username in any case', async () => {
    const client = new NeoHttpClient(sim.url);
    const res = await client.login({ ...CREDS, username: 'FrontDesk' });
    expect(res.status).toBe(302);
  });

  it.each([
    ['a wrong password', { ...CREDS, password: 'Wrong-Pass-2026!' }, {}],
    ['a wrong company', { ...CREDS, companyId: '1234' }, {}],
    ["another clinic's company id", { ...CREDS, companyId: '9001' }, {}],
    ['a wrong username', { ...CREDS, username: 'nobody' }, {}],
    [
      'no company id while the clinic shows the field',
      { username: CREDS.username, password: CREDS.password },
      {},
    ],
    ['a missing CSRF token', CREDS, { csrf_neo_token: undefined }],
    ['a wrong CSRF token', CREDS, { csrf_neo_token: 'deadbeef' }],
    ['a missing se_login_request', CREDS, { se_login_request: undefined }],
    ['a missing submitted flag', CREDS, { submitted: undefined }],
  ])(
    'fails with %s: the login page again with #login_error and no session',
    async (_label, creds, override) => {
      const client = new NeoHttpClient(sim.url);
      const res = await client.login(creds, override);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<div class="alert alert-danger" id="login_error">Invalid login details</div>');
      expect(html).toContain('csrf_neo_token');
      expect(client.cookies.has('NEOSESSID')).toBe(false);
      const dash = await client.get('/dashboard');
      expect(dash.status).toBe(302);
      expect(dash.headers.get('location')).toBe('/login/');
    },
  );

  it('binds the CSRF token to its pre-login cookie (a token from another browser fails)', async () => {
    const a = new NeoHttpClient(sim.url);
    const b = new NeoHttpClient(sim.url);
    const formA = await a.loginForm();
    await b.loginForm();
    const res = await b.postForm('/login', {
      csrf_neo_token: formA.csrf,
      se_login_request: formA.se,
      submitted: 'TRUE',
      company_id: CREDS.companyId,
      username: CREDS.username,
      password: CREDS.password,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="login_error"');
    // Without any pre-login cookie too.
    const c = new NeoHttpClient(sim.url);
    const res2 = await c.postForm('/login', {
      csrf_neo_token: formA.csrf,
      se_login_request: formA.se,
      submitted: 'TRUE',
      ...{ company_id: '8890', username: 'frontdesk', password: CREDS.password },
    });
    expect(await res2.text()).toContain('id="login_error"');
  });

  it('MFA clinic: a correct password redirects to /login/mfa, which asks for a code and never grants a session', async () => {
    const client = new NeoHttpClient(sim.url);
    const res = await client.login({ companyId: '7777', username: 'mfauser', password: 'Mfa-Pass-2026!' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login/mfa');
    expect(client.cookies.has('NEOSESSID')).toBe(false);
    const page = await client.get('/login/mfa');
    const html = await page.text();
    expect(html).toContain('name="mfa_code"');
    expect(html).toContain('Enter the verification code');
    const code = await client.postForm('/login/mfa', { mfa_code: '123456' });
    expect(code.status).toBe(200);
    expect(await code.text()).toContain('Invalid verification code');
    expect(client.cookies.has('NEOSESSID')).toBe(false);
    expect((await client.get('/dashboard')).status).toBe(302);
    expect(sim.stats().byCompany['7777'].logins).toBe(0);
  });

  it('MFA clinic with a wrong password fails like any other login', async () => {
    const client = new NeoHttpClient(sim.url);
    const res = await client.login({ companyId: '7777', username: 'mfauser', password: 'nope-nope-nope' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="login_error"');
  });

  it('keeps clinics apart: a session sees only its own clinic', async () => {
    const one = new NeoHttpClient(sim.url);
    const two = new NeoHttpClient(sim.url);
    expect((await one.login(CREDS)).status).toBe(302);
    expect(
      (await two.login({ companyId: '9001', username: 'desk2', password: 'Other-Pass-2026!' })).status,
    ).toBe(302);
    const range = '/appointments/getCalendarEventData?start=2026-11-20 00:00:00&end=2026-11-21 00:00:00';
    const e1 = (await (await one.getJson(range)).json()) as { events: unknown[] };
    const e2 = (await (await two.getJson(range)).json()) as { events: unknown[] };
    expect(e1.events.length).toBeGreaterThan(0);
    expect(e2.events).toEqual([]);
    expect((await two.getJson('/consultations/K-501/page-data')).status).toBe(404);
    expect(await two.get('/dashboard').then((r) => r.text())).toContain('Second Clinic');
  });

  it('logout ends the session', async () => {
    const client = new NeoHttpClient(sim.url);
    await client.login(CREDS);
    const out = await client.get('/logout');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/login/');
    expect((await client.get('/dashboard')).status).toBe(302);
  });
});

describe('login without the company_id field', () => {
  let hidden: Simulator;
  beforeAll(async () => {
    hidden = await startSimulator({
      now: FIXED_NOW,
      scenario: {
        clinics: [
          smallClinic({
            companyId: '501',
            username: 'alpha',
            password: 'Alpha-Pass-2026!',
            showCompanyId: false,
          }),
          smallClinic({
            companyId: '502',
            name: 'Beta Clinic',
            username: 'beta',
            password: 'Beta-Pass-2026!',
            showCompanyId: false,
            appointments: [],
            consultations: [],
          }),
        ],
      },
    });
  });
  afterAll(() => hidden.close());

  it('omits company_id from the form and finds the clinic by username', async () => {
    const client = new NeoHttpClient(hidden.url);
    const { html } = await client.loginForm();
    expect(html).not.toContain('name="company_id"');
    const res = await client.login({ username: 'beta', password: 'Beta-Pass-2026!' });
    expect(res.status).toBe(302);
    expect(await (await client.get('/dashboard')).text()).toContain('Beta Clinic');
    const wrong = await new NeoHttpClient(hidden.url).login({
      username: 'beta',
      password: 'Alpha-Pass-2026!',
    });
    expect(wrong.status).toBe(200);
    expect(hidden.stats().byCompany['502'].requests.login).toBe(2);
  });

  it('refuses two hidden-company clinics sharing a username', async () => {
    expect(() =>
      hidden.setScenario({
        clinics: [
          smallClinic({
            companyId: '503',
            username: 'ALPHA',
            showCompanyId: false,
            appointments: [],
            consultations: [],
          }),
        ],
      }),
    ).toThrow(/share the username/);
  });
});
