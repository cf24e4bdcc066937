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
