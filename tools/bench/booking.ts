/**
 * Issue 13, booking benches.
 *
 * (a) Availability of one clinic's 14 days (BookingService.availability -> public.slot_availability)
 *     with 10 clinics' slots in the table, then with 1,000 clinics' (about 400,000 slot rows, plus
 *     their synced appointments and bookings): median and p99, and the plan of the function's query.
 * (b) 200 bookings over 20 slots of capacity 5 (100 seats) sent at once, against the same 200 sent
 *     one at a time to 20 other slots like them: bookings per second, p99, successes, oversold seats.
 *     Through the pims-sync HTTP API (a real `api` process of the checkout) when it serves
 *     /api/bookings; otherwise straight through BookingService on a pool of the API's size (10).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type pg from 'pg';
import { createPool } from '@pims/db';
import { AppError, addDays, generateEncryptionKey, todayIn } from '@pims/util';
import { BookingService } from '@pims/sync-data-access';
import { cpuSecondsOfTree, median } from './proc';
import { startPimsSync, type Proc } from './stack';

type FreshDatabase = (name: string) => Promise<{ url: string; pool: pg.Pool }>;

/** 07:00 .. 21:00 in 30-minute slots. */
const SLOTS_PER_DAY = 28;
const DAYS = 14;
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
const CONFIRMATION_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface AvailabilitySize {
  clinics: number;
  rows: { slots: number; appointments: number; bookings: number };
  /** Slots the clinic's 14 days returned (those starting after now). */
  slotsReturned: number;
  samples: number;
  ms: { p50: number; p99: number; max: number };
  /** EXPLAIN (ANALYZE, BUFFERS) of slot_availability's query for the clinic's 14 days, inlined. */
  plan: { nodes: string; buffers: number; ms: number };
}

export interface BookingRun {
  seconds: number;
  /** Requests answered (booked or refused) per second. */
  requestsPerSecond: number;
  /** Seats booked per second. */
  bookingsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  booked: number;
  refused: number;
  /** Answers other than booked or slot_unavailable (should be none), by status/code. */
  errors: Record<string, number>;
  /** Slots where confirmed bookings > capacity - booked_count. */
  oversoldSlots: number;
  /** Seats booked beyond capacity - booked_count, summed over the slots. */
  oversoldSeats: number;
  /**
   * CPU per request (ms): this process (the sender; in 'service' mode also the BookingService), the
   * pims-sync api process (HTTP mode), PostgreSQL (the server and its backends); and how busy the
   * machine's cores were meanwhile (everyone's work, other users' included).
   */
  cpuMsPerRequest: { bench: number; api: number; postgres: number };
  machineBusy: number;
}

export interface BookingBenchResult {
  slotsPerDay: number;
  days: number;
  availability: { small: AvailabilitySize; large: AvailabilitySize; ratioP50: number; ratioP99: number };
  race: {
    via: 'http' | 'service';
    /** Why the service was used instead of HTTP (when it was). */
    httpUnavailable: string | null;
    poolMax: number;
    requests: number;
    slots: number;
    capacity: number;
    seats: number;
    concurrent: BookingRun;
    serial: BookingRun;
    /** concurrent requests/s over serial requests/s. */
    ratio: number;
    /**
     * The most concurrency could give on this machine if it had every core to itself: cores x the
     * serial run's wall time per request / the CPU one request used (sender, api, PostgreSQL).
     */
    ceiling: number;
    cores: number;
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

/**
 * Clinics inserted in bulk, as many statements as tables: each with its schedule config (07:00-21:00,
 * every day, 30-minute slots, capacity 4), its 14 days of slots from its local today, a synced
 * appointment in every slot on the hour (booked_count 1), and two confirmed bookings a day: one
 * written back and linked to its appointment (09:00), one pending (09:30).
 */
async function seedClinics(pool: pg.Pool, first: number, count: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted)
     select 'Booking Clinic ' || g, ($3::text[])[1 + g % array_length($3::text[], 1)], 'http://127.0.0.1:1', 'v1:a:b:c'
       from generate_series($1::int, $1::int + $2::int - 1) g
     order by g
     returning id`,
    [first, count, ZONES],
  );
  const ids = rows.map((r) => r.id);
  await pool.query(
    `insert into public.clinic_schedule_config (clinic_id, timezone, open_time, close_time, days_of_week, default_capacity)
     select id, timezone, '07:00', '21:00', '{1,2,3,4,5,6,7}', 4 from public.clinics where id = any($1::uuid[])`,
    [ids],
  );
  await pool.query(
    `insert into public.schedule_slots (clinic_id, date, start_time, end_time, start_at, end_at, capacity, booked_count)
     select c.id, d.date, t.start_time, t.start_time + interval '30 minutes',
            (d.date + t.start_time) at time zone c.timezone, (d.date + t.start_time + interval '30 minutes') at time zone c.timezone,
            4, case when t.k % 2 = 0 then 1 else 0 end
       from public.clinics c
       cross join lateral (select ((now() at time zone c.timezone)::date + g)::date as date from generate_series(0, $2::int - 1) g) d
       cross join lateral (select '07:00'::time + make_interval(mins => 30 * k) as start_time, k from generate_series(0, $3::int - 1) k) t
      where c.id = any($1::uuid[])`,
    [ids, DAYS, SLOTS_PER_DAY],
  );
  await pool.query(
    `insert into public.schedule_appointments (clinic_id, neo_appointment_id, slot_id, date, start_time, end_time, start_at, end_at, status)
     select s.clinic_id, 'A-' || s.id, s.id, s.date, s.start_time, s.end_time, s.start_at, s.end_at, 'scheduled'
       from public.schedule_slots s where s.clinic_id = any($1::uuid[]) and s.booked_count = 1`,
    [ids],
  );
  const code = (i: string) =>
    `'BB' || ${[29791, 961, 31, 1].map((d) => `substr('${CONFIRMATION_ALPHABET}', 1 + (${i} / ${d}) % 31, 1)`).join(' || ')}`;
  await pool.query(
    `insert into public.bookings (clinic_id, slot_id, status, starts_at, date, start_time, end_time, confirmation_number,
       client, patient, reason, source, write_back_status, pims_appointment_id, confirmed_at)
     select s.clinic_id, s.id, 'confirmed', s.start_at, s.date, s.start_time, s.end_time, ${code('s.n')},
            '{"firstName":"Seed","lastName":"Client","phone":"+12025550100"}', '{"name":"Rex"}', 'Seeded', 'api',
            case when s.start_time = '09:00' then 'written' else 'pending' end,
            case when s.start_time = '09:00' then 'A-' || s.id end, now()
       from (select s.*, row_number() over (partition by s.clinic_id order by s.date, s.start_time)::int as n
               from public.schedule_slots s
              where s.clinic_id = any($1::uuid[]) and s.start_time in ('09:00', '09:30')) s`,
    [ids],
  );
  return ids;
}

async function tableRows(pool: pg.Pool): Promise<AvailabilitySize['rows']> {
  const { rows } = await pool.query(
    `select (select count(*) from public.schedule_slots)::int as slots,
            (select count(*) from public.schedule_appointments)::int as appointments,
            (select count(*) from public.bookings)::int as bookings`,
  );
  return rows[0];
}

/** As autovacuum would after a bulk load: statistics and the visibility map are current. */
async function vacuum(pool: pg.Pool): Promise<void> {
  await pool.query(
    'vacuum analyze public.clinics, public.clinic_schedule_config, public.schedule_slots, public.schedule_appointments, public.bookings',
  );
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the function's own query (its body, its parameters bound): the
 * function itself is not inlined (it sets search_path), so its plan is read this way.
 */
async function explainAvailability(
  pool: pg.Pool,
  clinicId: string,
  from: string,
  to: string,
): Promise<AvailabilitySize['plan']> {
  const { rows: fn } = await pool.query<{ src: string }>(
    `select prosrc as src from pg_proc where oid = 'public.slot_availability(uuid, date, date, timestamptz)'::regprocedure`,
  );
  const body = fn[0].src
    .replace(/\bp_clinic_id\b/g, '$1::uuid')
    .replace(/\bp_from\b/g, '$2::date')
    .replace(/\bp_to\b/g, '$3::date')
    .replace(/\bp_now\b/g, '$4::timestamptz');
  const { rows } = await pool.query(`explain (analyze, buffers, format json) ${body}`, [
    clinicId,
    from,
    to,
    new Date(),
  ]);
  const top = rows[0]['QUERY PLAN'][0];
  const nodes: string[] = [];
  const walk = (p: Record<string, unknown>) => {
    const idx = p['Index Name']
      ? ` using ${p['Index Name']}`
      : p['Relation Name']
        ? ` on ${p['Relation Name']}`
        : '';
    nodes.push(`${p['Node Type']}${idx}`);
    for (const c of (p.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  walk(top.Plan);
  const plan = top.Plan as Record<string, number>;
  const buffers = (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
  // Distinct node kinds in plan order: the shape, not every repetition.
  return { nodes: [...new Set(nodes)].join(' > '), buffers, ms: Number(top['Execution Time']) };
}

/**
 * The clinic's 14 days through BookingService.availability on each database, in alternating rounds
 * (a shared machine's load drifts; alternating gives both sizes the same drift), after warm-up calls.
 */
async function measureAvailability(
  sizes: { pool: pg.Pool; clinicId: string; clinics: number }[],
  timezone: string,
  samples: number,
): Promise<AvailabilitySize[]> {
  const from = todayIn(timezone, { now: () => new Date() });
  const to = addDays(from, DAYS - 1);
  const runs = sizes.map((z) => ({
    ...z,
    service: new BookingService({ pool: z.pool }),
    ms: [] as number[],
    slotsReturned: 0,
  }));
  for (const r of runs)
    for (let i = 0; i < 30; i++)
      r.slotsReturned = (await r.service.availability(r.clinicId, { from, to })).slots.length;
  const ROUNDS = 8;
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of round % 2 ? [...runs].reverse() : runs) {
      for (let i = 0; i < Math.ceil(samples / ROUNDS); i++) {
        const t = performance.now();
        await r.service.availability(r.clinicId, { from, to });
        r.ms.push(performance.now() - t);
      }
    }
  }
  const out: AvailabilitySize[] = [];
  for (const r of runs) {
    out.push({
      clinics: r.clinics,
      rows: await tableRows(r.pool),
      slotsReturned: r.slotsReturned,
      samples: r.ms.length,
      ms: { p50: median(r.ms), p99: quantile(r.ms, 0.99), max: Math.max(...r.ms) },
      plan: await explainAvailability(r.pool, r.clinicId, from, to),
    });
  }
  return out;
}

/** A clinic of its own with `slots` slots of `capacity`, the day after tomorrow from 08:00 (no appointments). */
async function raceClinic(
  pool: pg.Pool,
  name: string,
  slots: number,
  capacity: number,
): Promise<{ clinicId: string; slotIds: string[] }> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted)
     values ($1, 'America/New_York', 'http://127.0.0.1:1', 'v1:a:b:c') returning id`,
    [name],
  );
  const clinicId = rows[0].id;
  await pool.query(
    `insert into public.clinic_schedule_config (clinic_id, timezone, days_of_week) values ($1, 'America/New_York', '{1,2,3,4,5,6,7}')`,
    [clinicId],
  );
  const { rows: s } = await pool.query<{ id: string }>(
    `insert into public.schedule_slots (clinic_id, date, start_time, end_time, start_at, end_at, capacity)
     select $1, d, t, t + interval '15 minutes', (d + t) at time zone 'America/New_York', (d + t + interval '15 minutes') at time zone 'America/New_York', $3
       from (select ((now() at time zone 'America/New_York')::date + 2) as d) x
       cross join lateral (select '08:00'::time + make_interval(mins => 15 * k) as t from generate_series(0, $2::int - 1) k) y
     order by t
     returning id`,
    [clinicId, slots, capacity],
  );
  return { clinicId, slotIds: s.map((r) => r.id) };
}

/** Busy and total CPU jiffies of the whole machine (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  const n = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - (n[4] ?? 0), total };
}

/** The PostgreSQL server's pid: the parent of a backend. */
async function postmasterPid(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
  const stat = readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

interface CpuWatch {
  postgres: number;
  api: number | null;
}

type Send = (i: number) => Promise<'booked' | 'refused' | string>;

function bookingBody(clinicId: string, slotId: string, i: number, tag: string) {
  return {
    clinicId,
    slotId,
    client: { firstName: `Caller${i}`, lastName: tag, phone: `+1 202 555 ${String(1000 + i).slice(-4)}` },
    patient: { name: `Pet ${i}`, species: 'Dog' },
    reason: 'Annual vaccines',
    source: 'api' as const,
    idempotencyKey: `${tag}-${i}-${randomBytes(4).toString('hex')}`,
  };
}

/** POST with node:http on keep-alive sockets (lighter on the sender's CPU than fetch: the sender shares the machine). */
function post(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function httpSender(
  agent: http.Agent,
  url: string,
  apiKey: string,
  clinicId: string,
  slotIds: string[],
  tag: string,
): Send {
  return async (i) => {
    const res = await post(
      agent,
      `${url}/api/bookings`,
      { 'x-api-key': apiKey, 'content-type': 'application/json' },
      JSON.stringify(bookingBody(clinicId, slotIds[i % slotIds.length], i, tag)),
    );
    let code = '';
    try {
      code = (JSON.parse(res.text) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // not JSON
    }
    if (res.status === 201) return 'booked';
    if (res.status === 409 && code === 'slot_unavailable') return 'refused';
    return `${res.status} ${code}`.trim();
  };
}

function serviceSender(service: BookingService, clinicId: string, slotIds: string[], tag: string): Send {
  return async (i) => {
    try {
      await service.book(bookingBody(clinicId, slotIds[i % slotIds.length], i, tag));
      return 'booked';
    } catch (err) {
      if (err instanceof AppError && err.code === 'slot_unavailable') return 'refused';
      return err instanceof AppError ? err.code : String((err as Error).message ?? err).slice(0, 60);
    }
  };
}

async function oversold(pool: pg.Pool, clinicId: string): Promise<{ slots: number; seats: number }> {
  const { rows } = await pool.query(
    `select count(*) filter (where confirmed > capacity - booked_count)::int as slots,
            coalesce(sum(greatest(confirmed - (capacity - booked_count), 0)), 0)::int as seats
       from (select s.capacity, s.booked_count, count(b.id) filter (where b.status = 'confirmed') as confirmed
               from public.schedule_slots s left join public.bookings b on b.slot_id = s.id
              where s.clinic_id = $1 group by s.id) x`,
    [clinicId],
  );
  return rows[0];
}

async function runBookings(
  pool: pg.Pool,
  clinicId: string,
  requests: number,
  send: Send,
  concurrent: boolean,
  pids: CpuWatch,
): Promise<BookingRun> {
  const cpu0 = {
    bench: process.cpuUsage(),
    api: pids.api ? cpuSecondsOfTree(pids.api) : 0,
    postgres: cpuSecondsOfTree(pids.postgres),
    machine: machineCpu(),
  };
  const latency: number[] = [];
  const outcomes: string[] = [];
  const one = async (i: number) => {
    const t = performance.now();
    const outcome = await send(i);
    latency.push(performance.now() - t);
    outcomes.push(outcome);
  };
  const started = performance.now();
  if (concurrent) await Promise.all(Array.from({ length: requests }, (_, i) => one(i)));
  else for (let i = 0; i < requests; i++) await one(i);
  const seconds = (performance.now() - started) / 1000;
  const bench = process.cpuUsage(cpu0.bench);
  const machine = machineCpu();
  const cpuMsPerRequest = {
    bench: (bench.user + bench.system) / 1000 / requests,
    api: pids.api ? ((cpuSecondsOfTree(pids.api) - cpu0.api) * 1000) / requests : 0,
    postgres: ((cpuSecondsOfTree(pids.postgres) - cpu0.postgres) * 1000) / requests,
  };
  const machineBusy = (machine.busy - cpu0.machine.busy) / Math.max(1, machine.total - cpu0.machine.total);
  const booked = outcomes.filter((o) => o === 'booked').length;
  const refused = outcomes.filter((o) => o === 'refused').length;
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o !== 'booked' && o !== 'refused') errors[o] = (errors[o] ?? 0) + 1;
  const over = await oversold(pool, clinicId);
  return {
    seconds,
    requestsPerSecond: requests / seconds,
    bookingsPerSecond: booked / seconds,
    latencyMs: { p50: median(latency), p99: quantile(latency, 0.99), max: Math.max(...latency) },
    booked,
    refused,
    errors,
    oversoldSlots: over.slots,
    oversoldSeats: over.seats,
    cpuMsPerRequest,
    machineBusy,
  };
}

export async function benchBooking(
  freshDatabase: FreshDatabase,
  opts: {
    largeClinics?: number;
    smallClinics?: number;
    samples?: number;
    requests?: number;
    slots?: number;
    capacity?: number;
    via?: 'http' | 'service';
  } = {},
): Promise<BookingBenchResult> {
  const smallClinics = opts.smallClinics ?? 10;
  const largeClinics = opts.largeClinics ?? 1000;
  const samples = opts.samples ?? 400;
  const requests = opts.requests ?? 200;
  const slots = opts.slots ?? 20;
  const capacity = opts.capacity ?? 5;
  const db = await freshDatabase('bench_booking');
  const smallDb = await freshDatabase('bench_booking_small');
  const procs: Proc[] = [];
  const agents: http.Agent[] = [];
  // The pools availability is measured on, and the direct-service fallback's: the API process's size.
  const poolMax = 10;
  const pool = createPool(db.url, { max: poolMax, applicationName: 'bench-booking' });
  const smallPool = createPool(smallDb.url, { max: poolMax, applicationName: 'bench-booking' });
  try {
    // (a) clinic 0's 14 days with 10 clinics in the tables and with 1,000 (two databases, clinic 0
    // seeded alike in both).
    const [smallTarget] = await seedClinics(smallDb.pool, 0, smallClinics);
    let target = '';
    for (let first = 0; first < largeClinics; first += 250) {
      const ids = await seedClinics(db.pool, first, Math.min(250, largeClinics - first));
      if (first === 0) target = ids[0];
    }
    await vacuum(smallDb.pool);
    await vacuum(db.pool);
    const [small, large] = await measureAvailability(
      [
        { pool: smallPool, clinicId: smallTarget, clinics: smallClinics },
        { pool, clinicId: target, clinics: largeClinics },
      ],
      ZONES[0],
      samples,
    );

    // (b) 200 bookings for 100 seats, at once and one at a time (each on its own clinic's 20 slots).
    const concurrentClinic = await raceClinic(db.pool, 'Race Clinic (concurrent)', slots, capacity);
    const serialClinic = await raceClinic(db.pool, 'Race Clinic (serial)', slots, capacity);
    await db.pool.query('analyze public.clinics, public.clinic_schedule_config, public.schedule_slots');
    let via: 'http' | 'service' = opts.via ?? 'http';
    let httpUnavailable: string | null = null;
    let sender: (c: { clinicId: string; slotIds: string[] }, tag: string) => Send;
    const pids: CpuWatch = { postgres: await postmasterPid(db.pool), api: null };
    if (via === 'http') {
      try {
        const env = {
          DATABASE_URL: db.url,
          PIMS_SYNC_API_KEY: randomBytes(16).toString('hex'),
          CREDENTIALS_KEY: generateEncryptionKey(),
        };
        const api = await startPimsSync(env, 'api');
        procs.push(api);
        const probe = await fetch(`${api.url}/api/clinics/${concurrentClinic.clinicId}/availability`, {
          headers: { 'x-api-key': env.PIMS_SYNC_API_KEY },
        });
        if (probe.status !== 200)
          throw new Error(`GET /api/clinics/:id/availability answered ${probe.status}`);
        pids.api = api.proc.pid!;
        const agent = new http.Agent({ keepAlive: true, maxSockets: requests });
        agents.push(agent);
        sender = (c, tag) => httpSender(agent, api.url!, env.PIMS_SYNC_API_KEY, c.clinicId, c.slotIds, tag);
      } catch (err) {
        via = 'service';
        pids.api = null;
        httpUnavailable = (err as Error).message.split('\n')[0].slice(0, 200);
      }
    }
    if (via === 'service') {
      const service = new BookingService({ pool });
      sender = (c, tag) => serviceSender(service, c.clinicId, c.slotIds, tag);
    }
    // A few requests first, on a third clinic, so neither run pays for the first connections and plans.
    const warm = await raceClinic(db.pool, 'Race Clinic (warm-up)', 2, 1);
    await runBookings(db.pool, warm.clinicId, 12, sender!(warm, 'warm'), true, pids);
    const concurrent = await runBookings(
      db.pool,
      concurrentClinic.clinicId,
      requests,
      sender!(concurrentClinic, 'concurrent'),
      true,
      pids,
    );
    const serial = await runBookings(
      db.pool,
      serialClinic.clinicId,
      requests,
      sender!(serialClinic, 'serial'),
      false,
      pids,
    );
    const cores = os.cpus().length;
    const serialCpuMs =
      serial.cpuMsPerRequest.bench + serial.cpuMsPerRequest.api + serial.cpuMsPerRequest.postgres;
    return {
      slotsPerDay: SLOTS_PER_DAY,
      days: DAYS,
      availability: {
        small,
        large,
        ratioP50: large.ms.p50 / small.ms.p50,
        ratioP99: large.ms.p99 / small.ms.p99,
      },
      race: {
        via,
        httpUnavailable,
        poolMax,
        requests,
        slots,
        capacity,
        seats: slots * capacity,
        concurrent,
        serial,
        ratio: concurrent.requestsPerSecond / serial.requestsPerSecond,
        ceiling: (cores * ((serial.seconds * 1000) / requests)) / serialCpuMs,
        cores,
      },
    };
  } finally {
    for (const a of agents) a.destroy();
    await Promise.all(procs.map((p) => p.stop()));
    await pool.end();
    await smallPool.end();
    await db.pool.end();
    await smallDb.pool.end();
  }
}
