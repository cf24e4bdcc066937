/** A small ezyVet API caller for the simulator's tests (real HTTP). */

export interface Credentials {
  partner_id: string;
  client_id: string;
  client_secret: string;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

type Json = Record<string, unknown>;

export class EzyClient {
  private token: string | null = null;

  constructor(
    readonly base: string,
    readonly creds: Credentials,
  ) {}

  async grant(extra: Json = {}): Promise<Answer<Json>> {
    const res = await fetch(`${this.base}/v1/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...this.creds,
        grant_type: 'client_credentials',
        scope: 'read-appointment',
        ...extra,
      }),
    });
    const body = (await res.json()) as Json;
    if (res.status === 200) this.token = String(body.access_token);
    return { status: res.status, body, headers: res.headers };
  }

  async bearer(): Promise<string> {
    if (!this.token) {
      const r = await this.grant();
      if (r.status !== 200) throw new Error(`token refused: ${r.status} ${JSON.stringify(r.body)}`);
    }
    return this.token!;
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  async call(method: string, path: string, body?: unknown): Promise<Answer<Json>> {
    const token = await this.bearer();
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** GET a list with filters (objects are sent as JSON). */
  async get(path: string, filters: Record<string, unknown> = {}): Promise<Answer<Json>> {
    return this.call('GET', withQuery(path, filters));
  }

  /** Every record of a list (all pages, limit 200), unwrapped from its `{"<resource>": record}`. */
  async all(path: string, filters: Record<string, unknown> = {}): Promise<Json[]> {
    const resource = path.split('/').pop()!.toLowerCase();
    const out: Json[] = [];
    for (let page = 1; ; page++) {
      const r = await this.get(path, { ...filters, limit: 200, page });
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      out.push(...records(r.body, resource));
      const meta = r.body.meta as { items_page_total: number };
      if (page >= meta.items_page_total) return out;
    }
  }
}

export function withQuery(path: string, filters: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters))
    q.set(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The records of a list answer. */
export function records(body: Json, resource: string): Json[] {
  return (body.items as Json[]).map((i) => i[resource] as Json);
}

export async function postJson(base: string, path: string, body: unknown): Promise<Answer<Json>> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

export async function getJson(base: string, path: string): Promise<Answer<Json>> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}
