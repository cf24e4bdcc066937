/**
 * Issue 14, write-back lag: 50 bookings made through POST /api/bookings, one after another, each
 * written into the clinic's PIMS (the IDEXX Neo simulator at 100 ms latency, in real Chromium) by a
 * pims-sync worker process; the time from the booking's request to its write-back status `written`,
 * against its lower bound: the PIMS requests the write needed x the latency.
 *
 * The simulator is reached through a counting proxy of this process, so every request the worker's
 * Chromium sends is seen with its start and end (the simulator's own stats count only some
 * endpoints: not the client search, the duplicate check or the pages, which pay the latency too).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { generateClinic, startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { generateEncryptionKey } from '@pims/util';
import { median } from './proc';
import { startPimsSync, type Proc } from './stack';

type FreshDatabase = (name: string) => Promise<{ url: string; pool: pg.Pool }>;

interface Seen {
  method: string;
  path: string;
  start: number;
  end: number;
  status: number;
}

/** A reverse proxy to the simulator that records every request (performance.now() times). */
async function countingProxy(target: string): Promise<{ url: string; log: Seen[]; close(): Promise<void> }> {
  const to = new URL(target);
  const log: Seen[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const seen: Seen = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      start: performance.now(),
      end: 0,
      status: 0,
    };
    log.push(seen);
    const up = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
        agent,
      },
      (answer) => {
        seen.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (seen.end = performance.now()));
      },
    );
    up.on('error', () => {
      seen.end = performance.now();
      res.writeHead(502).end();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The most requests of a set that ran one after another (none overlapping the next): the requests
 * a write had to wait for in turn. Equal to their count when none ran at the same time as another.
 */
function sequentialRounds(requests: Seen[]): number {
  let rounds = 0;
  let freeAt = -Infinity;
  for (const r of [...requests].sort((a, b) => a.end - b.end)) {
    if (r.start >= freeAt) {
      rounds++;
      freeAt = r.end;
    }
  }
  return rounds;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

export interface WriteBackOne {
  kind: 'existing client' | 'new client';
  lagMs: number;
  status: string;
  /** Requests to the PIMS between the booking's request and `written`, by method and path. */
  requests: number;
  rounds: number;
  boundMs: number;
  byPath: Record<string, number>;
  /** From the booking's request to the write's first PIMS request (the API's answer and the queue's pick-up). */
  pickupMs: number;
  /** From the end of the write's last PIMS request to `written` read (its recording and the 20 ms poll). */
  tailMs: number;
  /** The simulator's counters over the same span (its stats: only the endpoints it counts). */
  simCounted: Record<string, number>;
}

export interface WriteBackLagResult {
  latencyMs: number;
  bookings: number;
  warmUp: number;
  /** The first (warm-up) booking: the worker's first write for the clinic (log-in, calendar set-up). */
  first: { lagMs: number; requests: number; status: string; byPath: Record<string, number> };
  lagMs: { p50: number; p95: number; max: number };
  boundMs: { p50: number; p95: number; min: number; max: number };
  /** Per booking, its lag over its own bound. */
  ratio: { p50: number; p95: number };
  requestsPerWrite: { p50: number; min: number; max: number };
  statuses: Record<string, number>;
  byKind: Record<
    string,
    { n: number; lagP50: number; requestsP50: number; roundsP50: number; byPath: Record<string, number> }
  >;
  /** Requests seen after `written` (before the next booking): they cost the write nothing. */
  trailingRequests: number;
  simCountedPerWrite: Record<string, number>;
  /** Medians over the bookings: booking request to the first PIMS request; last PIMS answer to written read; the PIMS requests' span. */
  phasesMs: { pickup: number; pims: number; tail: number };
  /** The worker's pg-boss polling interval and consumers (PIMS_SYNC_WRITE_BACK_POLL_SECONDS, PIMS_SYNC_WRITE_BACK_CONCURRENCY), and whether they are the service's defaults (unset). */
  poll: { seconds: string; consumers: string; defaults: boolean };
}

/** The simulator's per-endpoint counters now. */
function simRequests(sim: Simulator): Record<string, number> {
  return { ...sim.stats().requests } as Record<string, number>;
}

function delta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) if ((b[k] ?? 0) - (a[k] ?? 0) !== 0) out[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return out;
}

const pathKey = (r: Seen) => `${r.method} ${r.path.replace(/\/[0-9a-f-]{6,}(?=\/|$)/gi, '/:id')}`;

export async function benchWriteBackLag(
  freshDatabase: FreshDatabase,
  opts: { bookings?: number; latencyMs?: number; warmUp?: number; timeoutMs?: number } = {},
): Promise<WriteBackLagResult> {
  const bookings = opts.bookings ?? 50;
  const latencyMs = opts.latencyMs ?? 100;
  const warmUp = opts.warmUp ?? 3;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const now = new Date();
  const password = 'WriteBack-Pass-2026!';
  const clinic = generateClinic({
    seed: 'write-back',
    companyId: '7301',
    name: 'Write-back Clinic',
    timezone: 'America/New_York',
    visitsPerDay: 20,
    now,
    username: 'wb',
    password,
  });
  // Callers the PIMS knows (a client and a patient of an existing visit), each once.
  const known = new Map<string, { firstName: string; lastName: string; phone: string; pet: string }>();
  for (const a of clinic.appointments ?? []) {
    if (a.isBlock || a.isRoster || !a.client?.phone || !a.patient) continue;
    if (!known.has(String(a.client.id)))
      known.set(String(a.client.id), {
        firstName: a.client.firstName,
        lastName: a.client.lastName,
        phone: a.client.phone,
        pet: a.patient.name,
      });
  }
  const knownCallers = [...known.values()];
  const sim = await startSimulator({ port: 0, now, scenario: { clinics: [clinic] } });
  const proxy = await countingProxy(sim.url);
  const db = await freshDatabase('bench_write_back');
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    PIMS_SYNC_API_KEY: randomBytes(16).toString('hex'),
    CREDENTIALS_KEY: generateEncryptionKey(),
  };
  const procs: Proc[] = [];
  try {
    const api = await startPimsSync(env, 'api');
    procs.push(api);
    const headers = { 'x-api-key': env.PIMS_SYNC_API_KEY, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${api.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return {
        status: r.status,
        json: json as Record<string, unknown> & { error?: { code?: string; message?: string } },
        text,
      };
    };
    const created = await call('POST', '/api/clinics', {
      name: 'Write-back Clinic',
      timezone: 'America/New_York',
      pims: { provider: 'idexx_neo', baseUrl: proxy.url, companyId: '7301', username: 'wb', password },
      schedule: {
        openTime: '08:00',
        closeTime: '18:00',
        daysOfWeek: [1, 2, 3, 4, 5, 6],
        slotDurationMinutes: 30,
        capacity: 4,
      },
    });
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`POST /api/clinics: ${created.status} ${created.text.slice(0, 300)}`);
    const clinicId = String(created.json.id);

    // The slots come from a full sync (no latency for it), as they would in production.
    const worker = await startPimsSync(env, 'worker');
    procs.push(worker);
    const sync = await call('POST', '/api/sync/full', { clinicId });
    if (sync.status >= 300) throw new Error(`POST /api/sync/full: ${sync.status} ${sync.text.slice(0, 300)}`);
    for (const t = performance.now(); ;) {
      const { rows } = await db.pool.query(
        `select status from public.case_sync_audits where clinic_id = $1 order by created_at desc limit 1`,
        [clinicId],
      );
      if (rows[0] && !['queued', 'in_progress'].includes(rows[0].status)) {
        if (rows[0].status !== 'completed') throw new Error(`the set-up sync ended ${rows[0].status}`);
        break;
      }
      if (performance.now() - t > 300_000) throw new Error('the set-up sync did not end in 5 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const avail = await call('GET', `/api/clinics/${clinicId}/availability`);
    if (avail.status !== 200) throw new Error(`availability: ${avail.status} ${avail.text.slice(0, 300)}`);
    // One booking per slot, from the day after tomorrow on (never a slot about to start).
    const soon = Date.now() + 36 * 3600_000;
    const slots = (avail.json.slots as { slotId: string; startsAt: string; available: number }[]).filter(
      (s) => s.available >= 1 && Date.parse(s.startsAt) > soon,
    );
    const total = warmUp + bookings;
    if (slots.length < total) throw new Error(`only ${slots.length} free slots for ${total} bookings`);
    // Spread over the days: every k-th slot.
    const step = Math.max(1, Math.floor(slots.length / total));

    sim.setFaults({ latencyMs, jitterMs: 0 });
    const results: WriteBackOne[] = [];
    let trailingRequests = 0;
    let first: WriteBackLagResult['first'] | null = null;
    for (let i = 0; i < total; i++) {
      const existing = i % 2 === 0 && knownCallers.length > i / 2;
      const caller = existing ? knownCallers[i / 2] : null;
      const body = {
        clinicId,
        slotId: slots[i * step].slotId,
        client: caller
          ? { firstName: caller.firstName, lastName: caller.lastName, phone: caller.phone }
          : {
              firstName: `Newcaller${i}`,
              lastName: 'Bench',
              phone: `+1 202 555 ${String(2000 + i).slice(-4)}`,
            },
        patient: { name: caller ? caller.pet : `Newpet${i}`, species: 'Dog' },
        reason: 'Vaccination',
        source: 'api',
        idempotencyKey: `write-back-bench-${i}`,
      };
      const logFrom = proxy.log.length;
      const stats0 = simRequests(sim);
      const t0 = performance.now();
      const booked = await call('POST', '/api/bookings', body);
      if (booked.status !== 201)
        throw new Error(`POST /api/bookings: ${booked.status} ${booked.text.slice(0, 300)}`);
      const id = String(booked.json.id);
      let status = 'pending';
      let t1 = 0;
      for (;;) {
        const { rows } = await db.pool.query(`select write_back_status from public.bookings where id = $1`, [
          id,
        ]);
        status = rows[0].write_back_status;
        if (status !== 'pending') {
          t1 = performance.now();
          break;
        }
        if (performance.now() - t0 > timeoutMs) {
          t1 = performance.now();
          status = 'timeout';
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const stats1 = simRequests(sim);
      // What the write sent: requests that started after the booking was asked for and before it read written.
      const during = proxy.log.slice(logFrom).filter((r) => r.start >= t0 && r.start <= t1);
      const rounds = sequentialRounds(during.map((r) => ({ ...r, end: r.end || t1 })));
      const byPath: Record<string, number> = {};
      for (const r of during) byPath[pathKey(r)] = (byPath[pathKey(r)] ?? 0) + 1;
      // Let anything the write still sends after `written` finish before the next booking.
      await new Promise((r) => setTimeout(r, 300));
      const after = proxy.log.slice(logFrom).filter((r) => r.start > t1).length;
      const firstStart = during.length ? Math.min(...during.map((r) => r.start)) : t1;
      const lastEnd = during.length ? Math.max(...during.map((r) => r.end || t1)) : t1;
      const one: WriteBackOne = {
        kind: caller ? 'existing client' : 'new client',
        pickupMs: firstStart - t0,
        tailMs: t1 - lastEnd,
        lagMs: t1 - t0,
        status,
        requests: during.length,
        rounds,
        boundMs: rounds * latencyMs,
        byPath,
        simCounted: delta(stats0, stats1),
      };
      if (i === 0) first = { lagMs: one.lagMs, requests: one.requests, status, byPath };
      if (i < warmUp) continue;
      trailingRequests += after;
      results.push(one);
    }

    const lag = results.map((r) => r.lagMs);
    const bound = results.map((r) => r.boundMs);
    const ratios = results.map((r) => r.lagMs / Math.max(1, r.boundMs));
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const byKind: WriteBackLagResult['byKind'] = {};
    for (const kind of ['existing client', 'new client'] as const) {
      const of = results.filter((r) => r.kind === kind);
      if (of.length === 0) continue;
      const paths: Record<string, number> = {};
      for (const r of of) for (const [k, v] of Object.entries(r.byPath)) paths[k] = (paths[k] ?? 0) + v;
      byKind[kind] = {
        n: of.length,
        lagP50: median(of.map((r) => r.lagMs)),
        requestsP50: median(of.map((r) => r.requests)),
        roundsP50: median(of.map((r) => r.rounds)),
        byPath: Object.fromEntries(
          Object.entries(paths).map(([k, v]) => [k, Math.round((v / of.length) * 10) / 10]),
        ),
      };
    }
    const simCountedPerWrite: Record<string, number> = {};
    for (const r of results)
      for (const [k, v] of Object.entries(r.simCounted))
        simCountedPerWrite[k] = (simCountedPerWrite[k] ?? 0) + v;
    for (const k of Object.keys(simCountedPerWrite))
      simCountedPerWrite[k] = Math.round((simCountedPerWrite[k] / results.length) * 10) / 10;
    return {
      latencyMs,
      bookings: results.length,
      warmUp,
      first: first!,
      lagMs: { p50: median(lag), p95: quantile(lag, 0.95), max: Math.max(...lag) },
      boundMs: {
        p50: median(bound),
        p95: quantile(bound, 0.95),
        min: Math.min(...bound),
        max: Math.max(...bound),
      },
      ratio: { p50: median(ratios), p95: quantile(ratios, 0.95) },
      requestsPerWrite: {
        p50: median(results.map((r) => r.requests)),
        min: Math.min(...results.map((r) => r.requests)),
        max: Math.max(...results.map((r) => r.requests)),
      },
      statuses,
      byKind,
      trailingRequests,
      simCountedPerWrite,
      phasesMs: {
        pickup: median(results.map((r) => r.pickupMs)),
        pims: median(results.map((r) => r.lagMs - r.pickupMs - r.tailMs)),
        tail: median(results.map((r) => r.tailMs)),
      },
      poll: {
        seconds: process.env.PIMS_SYNC_WRITE_BACK_POLL_SECONDS || '0.5',
        consumers: process.env.PIMS_SYNC_WRITE_BACK_CONCURRENCY || '4',
        defaults: !process.env.PIMS_SYNC_WRITE_BACK_POLL_SECONDS && !process.env.PIMS_SYNC_WRITE_BACK_CONCURRENCY,
      },
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await proxy.close();
    await db.pool.end();
    await sim.close();
  }
}
