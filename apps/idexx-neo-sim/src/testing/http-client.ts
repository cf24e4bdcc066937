/** Test helper: a tiny cookie-jar HTTP client that behaves like a browser tab (no redirects followed). */
export class NeoHttpClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** A JSON call as Neo's pages make it. */
  getJson(path: string): Promise<Response> {
    return this.request(path, {
      headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    });
  }

  /** The CSRF token of the session, as a logged-in page carries it (`<meta name="csrf-token">`). */
  async csrfToken(page = '/dashboard'): Promise<string | null> {
    const html = await (await this.get(page)).text();
    return /<meta name="csrf-token" content="([^"]*)">/.exec(html)?.[1] ?? null;
  }

  /**
   * A write as Neo's pages make it: JSON or a multipart form, with X-Requested-With and the CSRF
   * token (`token: null` leaves the header out; `xhr: false` leaves X-Requested-With out).
   */
  write(
    path: string,
    body: { json: unknown } | { form: Record<string, string> },
    opts: { token: string | null; xhr?: boolean },
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.xhr !== false) headers['X-Requested-With'] = 'XMLHttpRequest';
    if (opts.token !== null) headers['X-CSRF-Token'] = opts.token;
    let payload: BodyInit;
    if ('json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else {
      const form = new FormData();
      for (const [k, v] of Object.entries(body.form)) form.set(k, v);
      payload = form;
    }
    return this.request(path, { method: 'POST', headers, body: payload });
  }

  async loginForm(): Promise<{ html: string; csrf: string; se: string }> {
    const res = await this.get('/login/');
    const html = await res.text();
    const csrf = /name="csrf_neo_token" value="([^"]*)"/.exec(html)?.[1] ?? '';
    const se = /name="se_login_request" value="([^"]*)"/.exec(html)?.[1] ?? '';
    return { html, csrf, se };
  }

  postForm(path: string, fields: Record<string, string | undefined>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
    return this.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        referer: new URL('/login/', this.baseUrl).toString(),
      },
      body,
    });
  }

  /** Loads the form, then posts it with the given credentials (and overrides). */
  async login(
    creds: { companyId?: string; username: string; password: string },
    override: Record<string, string | undefined> = {},
  ): Promise<Response> {
    const form = await this.loginForm();
    return this.postForm('/login', {
      csrf_neo_token: form.csrf,
      se_login_request: form.se,
      submitted: 'TRUE',
      company_id: creds.companyId,
      username: creds.username,
      password: creds.password,
      ...override,
    });
  }
}

export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
