/**
 * Request counters in the shape of CONTRACT section 5: `{requests: {<endpoint>: n}, logins, errors,
 * rateLimited, byCompany: {"<companyId>": {the same}}}`. Each simulator names its PIMS's endpoints.
 */
export interface Counters<E extends string = string> {
  requests: Record<E, number>;
  logins: number;
  errors: number;
  rateLimited: number;
}

export interface SimStats<E extends string = string> extends Counters<E> {
  byCompany: Record<string, Counters<E>>;
}

export class StatsRecorder<E extends string = string> {
  private total: Counters<E>;
  private byCompany = new Map<string, Counters<E>>();

  constructor(private readonly endpoints: readonly E[]) {
    this.total = this.empty();
  }

  private empty(): Counters<E> {
    return {
      requests: Object.fromEntries(this.endpoints.map((e) => [e, 0])) as Record<E, number>,
      logins: 0,
      errors: 0,
      rateLimited: 0,
    };
  }

  private each(companyId: string | null, fn: (c: Counters<E>) => void): void {
    fn(this.total);
    if (companyId) {
      let c = this.byCompany.get(companyId);
      if (!c) {
        c = this.empty();
        this.byCompany.set(companyId, c);
      }
      fn(c);
    }
  }

  request(endpoint: E, companyId: string | null): void {
    this.each(companyId, (c) => (c.requests[endpoint] += 1));
  }
  login(companyId: string): void {
    this.each(companyId, (c) => (c.logins += 1));
  }
  error(companyId: string | null): void {
    this.each(companyId, (c) => (c.errors += 1));
  }
  rateLimited(companyId: string | null): void {
    this.each(companyId, (c) => (c.rateLimited += 1));
  }

  snapshot(): SimStats<E> {
    const copy = (c: Counters<E>): Counters<E> => ({ ...c, requests: { ...c.requests } });
    return {
      ...copy(this.total),
      byCompany: Object.fromEntries([...this.byCompany].map(([k, v]) => [k, copy(v)])),
    };
  }

  reset(): void {
    this.total = this.empty();
    this.byCompany.clear();
  }
}
