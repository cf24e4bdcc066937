import type pg from 'pg';
import { createPool } from '@pims/db';
import { createLogger, createServices, loadEnv, startBoss, type NightlyDispatcher } from '@pims/pims-sync';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { median } from './proc';

type FreshDatabase = (name: string) => Promise<{ url: string; pool: pg.Pool }>;

export interface SchedulerSize {
  clinics: number;
  /** Statements the dispatcher sent per tick (begin and commit included), none due. */
  statementsPerTick: number;
  statementsPerMinute: number;
  /** What one tick sent, in order (first line of each statement). */
  statements: string[];
  tickMs: { p50: number; max: number };
  /** EXPLAIN (ANALYZE, BUFFERS) of the due-clinics query at this size. */
  duePlan: { nodes: string; buffers: number; rowsRead: number };
}

export interface SchedulerResult {
  tickSeconds: number;
  batchSize: number;
  ticks: number;
  small: SchedulerSize;
  large: SchedulerSize;
  statementRatio: number;
  timeRatio: number;
  fanOut: {
    due: number;
    registered: number;
    seconds: number;
    ticks: number;
    auditsQueued: number;
    jobsQueued: number;
    statements: number;
    statementsPerClinic: number;
  };
}

interface Counter {
  n: number;
  texts: { text: string; values: unknown[] }[];
}

/**
 * A pool that counts every statement sent on its connections (pool.query goes through connect, so
 * each statement is counted once, however it was sent).
 */
function countingPool(url: string): { pool: pg.Pool; counter: Counter } {
  const pool = createPool(url, { max: 4, applicationName: 'bench-dispatcher' });
  const counter: Counter = { n: 0, texts: [] };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.n++;
      const first = args[0] as string | { text: string; values?: unknown[] };
      const text = typeof first === 'string' ? first : first.text;
      const values =
        (Array.isArray(args[1]) ? args[1] : typeof first === 'object' ? first.values : undefined) ?? [];
      counter.texts.push({ text, values });
      return query(...args);
    };
  });
  return { pool, counter };
}

const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Asia/Tokyo',
];

/**
 * `n` clinics inserted in one statement each for clinics and their schedule config, every one
 * planned for its next 02:00 local (tomorrow's, so at least a few hours ahead: none is due).
 */
async function seedClinics(pool: pg.Pool, n: number): Promise<void> {
  await pool.query(
    `with c as (
       insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted)
       select 'Scheduler Clinic ' || g, ($2::text[])[1 + g % array_length($2::text[], 1)], 'http://127.0.0.1:1', 'v1:a:b:c'
         from generate_series(1, $1::int) g
       returning id, timezone)
     insert into public.clinic_schedule_config (clinic_id, timezone, next_sync_at)
     select id, timezone, (date_trunc('day', now() at time zone timezone) + interval '1 day 2 hours') at time zone timezone from c`,
    [n, ZONES],
  );
  // As autovacuum would after a bulk load: the planner knows the table's size.
  await pool.query('analyze public.clinics, public.clinic_schedule_config');
}

const firstLine = (sql: string) => sql.trim().split('\n')[0].replace(/\s+/g, ' ').slice(0, 90);

async function explainDue(
  pool: pg.Pool,
  due: { text: string; values: unknown[] },
): Promise<SchedulerSize['duePlan']> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(`explain (analyze, buffers, format json) ${due.text}`, due.values);
    await client.query('rollback');
    const plan = rows[0]['QUERY PLAN'][0].Plan;
    const nodes: string[] = [];
    let rowsRead = 0;
    const walk = (p: Record<string, unknown>) => {
      nodes.push(
        `${p['Node Type']}${p['Index Name'] ? ` using ${p['Index Name']}` : ''}${p['Relation Name'] && !p['Index Name'] ? ` on ${p['Relation Name']}` : ''}`,
      );
      if (p['Relation Name'])
        rowsRead += Number(p['Actual Rows'] ?? 0) + Number(p['Rows Removed by Filter'] ?? 0);
      for (const c of (p.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
    };
    walk(plan);
    return {
      nodes: nodes.join(' > '),
      buffers: Number(plan['Shared Hit Blocks'] ?? 0) + Number(plan['Shared Read Blocks'] ?? 0),
      rowsRead,
    };
  } finally {
    client.release();
  }
}

/** The service's own settings (its defaults: a worker process with no settings in its environment). */
function defaultSettings(url: string) {
  const key = generateEncryptionKey();
  const env = loadEnv({
    DATABASE_URL: url,
    CREDENTIALS_KEY: key,
    PIMS_SYNC_ROLE: 'worker',
    LOG_LEVEL: 'warn',
  });
  return { queue: env.queue, credentialsKey: parseEncryptionKey(key) };
}

/**
 * The dispatcher as a worker process builds it (the composition root's createServices, pg-boss
 * started), on a pool whose statements are counted.
 */
async function withDispatcher<T>(
  db: { url: string; pool: pg.Pool },
  fn: (d: NightlyDispatcher, counter: Counter, pool: pg.Pool) => Promise<T>,
): Promise<T> {
  const logger = createLogger({ level: 'warn' });
  const { queue, credentialsKey } = defaultSettings(db.url);
  const { pool, counter } = countingPool(db.url);
  // pg-boss on its own connections (not counted): the dispatcher reaches it only through the
  // SyncService, on the dispatcher's connection, when a clinic is due.
  const boss = await startBoss(
    db.pool,
    db.url,
    {
      jobExpireSeconds: queue.jobExpireSeconds,
      maintenanceSeconds: queue.maintenanceSeconds,
      retryLimit: 5,
      retryDelaySeconds: 30,
    },
    logger,
  );
  try {
    const { dispatcher } = createServices({ pool, boss, credentialsKey, logger, settings: queue });
    return await fn(dispatcher, counter, pool);
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await pool.end();
  }
}

/**
 * Bench 6 (scheduler cost): the nightly dispatcher's ticks with 10 and with 10,000 registered
 * clinics, none due: statements per tick (counted on its connections) x ticks per minute, the
 * tick's time, and the plan of its one query. Bench 7 (fan-out): on the 10,000, 1,000 clinics are
 * made due a minute ago; ticks run until none is due; the time until all 1,000 audits and their
 * jobs are queued.
 */
export async function benchScheduler(
  freshDatabase: FreshDatabase,
  opts: { small?: number; large?: number; due?: number; ticks?: number } = {},
): Promise<SchedulerResult> {
  const { queue } = defaultSettings('postgres://127.0.0.1/unused');
  const settings = { tickSeconds: queue.dispatchTickSeconds, batchSize: queue.dispatchBatchSize };
  const ticks = opts.ticks ?? 30;
  const size = async (clinics: number, db: { url: string; pool: pg.Pool }): Promise<SchedulerSize> => {
    await seedClinics(db.pool, clinics);
    return withDispatcher(db, async (d, counter, pool) => {
      for (let i = 0; i < 3; i++) await d.tick(new Date()); // warm-up: connections, plans
      const perTick: number[] = [];
      const ms: number[] = [];
      let statements: string[] = [];
      let due: Counter['texts'][number] | undefined;
      for (let i = 0; i < ticks; i++) {
        const before = counter.n;
        counter.texts = [];
        const t = performance.now();
        const r = await d.tick(new Date());
        ms.push(performance.now() - t);
        if (!r.led || r.queued || r.planned || r.missed)
          throw new Error(`tick with none due did work: ${JSON.stringify(r)}`);
        perTick.push(counter.n - before);
        statements = counter.texts.map((s) => firstLine(s.text));
        due = counter.texts.find((s) => /clinic_schedule_config/.test(s.text) && /^\s*select/i.test(s.text));
      }
      if (!due) throw new Error('the due-clinics query was not seen');
      const statementsPerTick = median(perTick);
      return {
        clinics,
        statementsPerTick,
        statementsPerMinute: statementsPerTick * (60 / settings.tickSeconds),
        statements,
        tickMs: { p50: median(ms), max: Math.max(...ms) },
        duePlan: await explainDue(pool, due),
      };
    });
  };

  const dbSmall = await freshDatabase('bench_sched_small');
  const small = await size(opts.small ?? 10, dbSmall).finally(() => dbSmall.pool.end());
  const db = await freshDatabase('bench_sched_large');
  try {
    const large = await size(opts.large ?? 10_000, db);

    const dueCount = opts.due ?? 1000;
    await db.pool.query(
      `update public.clinic_schedule_config set next_sync_at = now() - interval '1 minute'
        where clinic_id in (select clinic_id from public.clinic_schedule_config order by clinic_id limit $1)`,
      [dueCount],
    );
    const fanOut = await withDispatcher(db, async (d, counter) => {
      const before = counter.n;
      const t = performance.now();
      let n = 0;
      let queued = 0;
      for (;;) {
        const r = await d.tick(new Date());
        n++;
        queued += r.queued;
        if (r.queued === 0 || queued >= dueCount) break;
      }
      const seconds = (performance.now() - t) / 1000;
      const statements = counter.n - before;
      const { rows } = await db.pool.query(
        `select (select count(*)::int from public.case_sync_audits where triggered_by = 'schedule' and status = 'queued') as audits,
                (select count(*)::int from pgboss.job j where j.name = 'pims-sync-run' and j.state = 'created'
                   and j.id in (select id from public.case_sync_audits where triggered_by = 'schedule')) as jobs`,
      );
      return {
        due: dueCount,
        registered: large.clinics,
        seconds,
        ticks: n,
        auditsQueued: rows[0].audits,
        jobsQueued: rows[0].jobs,
        statements,
        statementsPerClinic: statements / Math.max(1, rows[0].audits),
      };
    });
    return {
      tickSeconds: settings.tickSeconds,
      batchSize: settings.batchSize,
      ticks,
      small,
      large,
      statementRatio: large.statementsPerMinute / small.statementsPerMinute,
      timeRatio: large.tickMs.p50 / small.tickMs.p50,
      fanOut,
    };
  } finally {
    await db.pool.end();
  }
}
