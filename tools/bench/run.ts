/**
 * `npm run bench`: each figure measured against its baseline in the same run, printed as a table and
 * written to docs/benchmarks.md with the machine's description.
 *
 * `npm run bench -- --only=write,scheduler,capacity` runs only those parts (names: write, sync,
 * queue, history, scheduler, capacity, booking, writeback, ezyvet), prints their rows and writes nothing.
 * BENCH_CAPACITY_CLINICS sets the capacity bench's clinic count (default 50).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, runMigrations, startEmbeddedPostgres, withDatabase } from '@pims/db';
import pg from 'pg';
import { benchWritePath } from './write-path';
import { benchFullSync } from './full-sync';
import { benchEzyvetSync } from './ezyvet-sync';
import { benchQueueThroughput } from './queue-throughput';
import { benchHistory } from './history';
import { benchCapacity } from './capacity';
import { benchBooking } from './booking';
import { benchWriteBackLag } from './write-back-lag';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const runs = (part: string) => !only || only.has(part);
const capacityClinics = Number(process.env.BENCH_CAPACITY_CLINICS ?? 50);
const TOTAL = 11;
/** The code measured: BENCH_COMMIT, else the checkout's commit (and whether it had uncommitted changes). */
function codeVersion(): string {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown';
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' with uncommitted changes' : ''}`;
}

const version = codeVersion();
const loadAtStart = os.loadavg();
const dir = mkdtempSync(path.join(os.tmpdir(), 'pims-bench-'));
chmodSync(dir, 0o755);
// Durable settings (fsync on), as `npm start` runs it: a benchmark on a no-fsync server would flatter
// nothing but per-row commits would look cheaper than they are.
const server = await startEmbeddedPostgres({ dataDir: dir, ephemeral: true, durable: true });
async function freshDatabase(name: string) {
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(server.connectionString, name);
  const pool = createPool(url, { max: 10 });
  await runMigrations(pool);
  return { url, pool };
}

const rows: string[][] = [];
const notes: string[] = [];
try {
  if (runs('write')) {
    process.stdout.write(`1/${TOTAL} write path...\n`);
    const w = await freshDatabase('bench_write');
    const wp = await benchWritePath(w.pool);
    await w.pool.end();
    const { first: a, resync: b } = wp;
    notes.push(
      `Write path: the baseline is the same upsert sent one statement per row, all ${int(wp.rows)} inside one transaction (one commit), so the ratio measures statements, not commits; the repository sends batches of 1,000 rows as one JSON document (jsonb_to_recordset) per statement, skips unchanged rows, and commits per batch. COPY on the first sync goes straight into public.cases; on the re-sync COPY fills a staging table and one upsert (same skip of unchanged rows) merges it. Each figure is the median of ${wp.rounds} rounds; in the re-sync ${int(wp.changed)} of ${int(wp.rows)} rows changed and the repository wrote ${int(b.rowsWritten)}. The 5x target is applied to both, the 0.6-of-COPY target to the first sync only.`,
    );
    rows.push([
      `1a. Write path, first sync (${int(wp.rows)} cases)`,
      `repository ${int(a.repository.rowsPerSecond)} rows/s`,
      `one statement per row in one transaction ${int(a.perRow.rowsPerSecond)} rows/s; COPY ${int(a.copy.rowsPerSecond)} rows/s`,
      `${f1(a.vsPerRow)}x the baseline; ${f2(a.ofCopy)} of COPY`,
      `>= 5x: ${mark(a.vsPerRow >= 5)}; >= 0.6 of COPY: ${mark(a.ofCopy >= 0.6)}`,
    ]);
    rows.push([
      `1b. Write path, re-sync (${int(wp.changed)} of ${int(wp.rows)} changed)`,
      `repository ${int(b.repository.rowsPerSecond)} rows/s (${int(b.rowsWritten)} rows written)`,
      `one statement per row in one transaction ${int(b.perRow.rowsPerSecond)} rows/s; COPY to staging + one upsert ${int(b.copy.rowsPerSecond)} rows/s`,
      `${f1(b.vsPerRow)}x the baseline; ${f2(b.ofCopy)} of COPY`,
      `>= 5x: ${mark(b.vsPerRow >= 5)}`,
    ]);
  }

  let fs: Awaited<ReturnType<typeof benchFullSync>> | null = null;
  if (runs('sync')) {
    process.stdout.write(`2-3/${TOTAL} full sync and unchanged re-sync...\n`);
    const s = await freshDatabase('bench_sync');
    fs = await benchFullSync(s.pool, s.url);
    await s.pool.end();
    rows.push([
      '2. Full sync, 100 ms PIMS latency',
      `${f1(fs.first.seconds)} s (${fs.visits} visits, ${fs.consultations} consultations)`,
      `lower bound ${f1(fs.first.lowerBoundSeconds)} s`,
      `${f2(fs.first.ratio)}x the bound`,
      `<= 1.5x: ${mark(fs.first.ratio <= 1.5)}`,
    ]);
    rows.push([
      '3. Same sync, nothing changed',
      `${f2(fs.unchanged.seconds)} s, ${fs.unchanged.rowsWritten} rows written, ${fs.unchanged.consultationRequests} consultation requests`,
      `first sync ${f1(fs.first.seconds)} s`,
      `${f1(fs.unchanged.shareOfFirst * 100)}% of the first`,
      `0 rows, 0 requests, < 15%: ${mark(fs.unchanged.rowsWritten === 0 && fs.unchanged.consultationRequests === 0 && fs.unchanged.shareOfFirst < 0.15)}`,
    ]);
    notes.push(
      `Phase times (s): first ${JSON.stringify(fs.phaseSeconds.first)}; unchanged ${JSON.stringify(fs.phaseSeconds.unchanged)}.`,
    );
  }

  if (runs('ezyvet')) {
    process.stdout.write(`2e/${TOTAL} ezyVet: full sync of the same clinic and an incremental re-sync after 5% changed...\n`);
    const e = await freshDatabase('bench_ezyvet');
    const ez = await benchEzyvetSync(e.pool);
    await e.pool.end();
    rows.push([
      '2e. ezyVet full sync, 100 ms latency, 60 requests/min per endpoint',
      `${f1(ez.first.seconds)} s (${ez.visits} visits, ${int(ez.first.requests)} requests, ${ez.first.status})`,
      `lower bound ${f1(ez.first.lowerBoundSeconds)} s (rate limit ${f1(ez.first.rateBoundSeconds)} s, latency ${f1(ez.first.latencyBoundSeconds)} s)`,
      `${f2(ez.first.ratio)}x the bound`,
      `<= 1.5x: ${mark(ez.first.ratio <= 1.5)}`,
    ]);
    rows.push([
      `2f. ezyVet re-sync after ${ez.resync.changed} visits changed (5%)`,
      `${f1(ez.resync.seconds)} s, ${int(ez.resync.requests)} requests (${ez.resync.appointmentRequests} to appointments)`,
      `first sync ${f1(ez.first.seconds)} s, ${int(ez.first.requests)} requests (${ez.firstAppointmentRequests} to appointments)`,
      `${f1(ez.resync.appointmentRequestShare * 100)}% of the appointment requests, ${f1(ez.resync.requestShare * 100)}% of all, ${f1(ez.resync.timeShare * 100)}% of the time`,
      `appointment requests <= 10%: ${mark(ez.resync.appointmentRequestShare <= 0.1)}`,
    ]);
    notes.push(`ezyVet requests of the first sync by endpoint: ${JSON.stringify(ez.first.byEndpoint)}. The re-sync asks ezyVet only for records modified since its last fetch (minus a 5-minute margin).`);
  }

  if (runs('queue')) {
    process.stdout.write(`4/${TOTAL} queue throughput, one and two worker processes...\n`);
    const q = await benchQueueThroughput(freshDatabase);
    notes.push(
      `Queue: each worker process runs one Chromium, launched with its log-in page before it takes jobs; clinic sessions log in on that one page and hand their cookies to a context with no page, so a session starts no renderer process. With one worker the machine's 2 cores were ${f1(q.one.cpuBusy * 100)}% busy, with two ${f1(q.two.cpuBusy * 100)}%; syncs of different clinics ran in parallel and no clinic ever had two at once. Time = first sync started .. last sync completed, from the audits.`,
    );
    rows.push([
      '4. 12 clinics through the queue (1 sync at a time per worker process)',
      `two workers ${f1(q.two.seconds)} s (CPU ${f1(q.two.cpuBusy * 100)}% busy)`,
      `one worker ${f1(q.one.seconds)} s (CPU ${f1(q.one.cpuBusy * 100)}% busy)`,
      `${f2(q.ratio)}x throughput`,
      `>= 1.7x: ${mark(q.ratio >= 1.7)}`,
    ]);
  }

  if (fs)
    rows.push([
      '5a. Peak RSS of the worker during 2',
      `${f1(fs.peakWorkerRssMb)} MiB (node)`,
      `with its Chromium: ${f1(fs.peakWorkerWithBrowserRssMb)} MiB`,
      '',
      '',
    ]);
  if (runs('history')) {
    process.stdout.write(`5/${TOTAL} memory and the history page at 100,000 audits...\n`);
    const h = await benchHistory(freshDatabase);
    rows.push([
      '5b. Web server with 100,000 audit rows',
      `peak RSS ${f1(h.webPeakRssMb)} MiB`,
      `idle ${f1(h.webIdleRssMb)} MiB`,
      '',
      '',
    ]);
    rows.push([
      '5c. History page server time at 100,000 rows',
      `${f1(h.historyMs.p50)} ms median, ${f1(h.historyMs.p95)} ms p95 (first page, 20 rows, web tRPC -> pims-sync -> Postgres)`,
      `pims-sync alone ${f1(h.apiMs.p50)} ms median; deep page ${f1(h.deepPageMs.p50)} ms`,
      '',
      `< 300 ms: ${mark(h.historyMs.p95 < 300)}`,
    ]);
  }

  if (runs('scheduler')) {
    process.stdout.write(`6-7/${TOTAL} nightly dispatcher: cost with none due, fan-out of 1,000 due...\n`);
    // Loaded here: it imports the pims-sync app (the dispatcher), which the other parts do not need.
    const { benchScheduler } = await import('./scheduler');
    const sc = await benchScheduler(freshDatabase);
    const { small, large, fanOut } = sc;
    rows.push([
      `6. Scheduler cost, none due (${int(large.clinics)} vs ${int(small.clinics)} clinics)`,
      `${int(large.clinics)} clinics: ${f1(large.statementsPerMinute)} statements/min, tick ${f2(large.tickMs.p50)} ms median`,
      `${int(small.clinics)} clinics: ${f1(small.statementsPerMinute)} statements/min, tick ${f2(small.tickMs.p50)} ms median`,
      `statements ${f2(sc.statementRatio)}x; tick time ${f2(sc.timeRatio)}x`,
      `statements <= 1.2x: ${mark(sc.statementRatio <= 1.2)} (tick time: no target)`,
    ]);
    rows.push([
      `7. Fan-out: ${int(fanOut.due)} clinics due in the same minute (of ${int(fanOut.registered)})`,
      `all queued in ${f1(fanOut.seconds)} s (${fanOut.ticks} tick${fanOut.ticks === 1 ? '' : 's'}; ${int(fanOut.auditsQueued)} audits, ${int(fanOut.jobsQueued)} jobs)`,
      '',
      '',
      `<= 60 s: ${mark(fanOut.seconds <= 60 && fanOut.auditsQueued === fanOut.due && fanOut.jobsQueued === fanOut.due)}`,
    ]);
    notes.push(
      `Scheduler: the NightlyDispatcher as a worker builds it (the composition root's createServices, the service's default settings: tick every ${sc.tickSeconds} s, batches of ${sc.batchSize}) on the product's tables with pg-boss, clinics inserted in bulk with their next run planned at their next 02:00 local and the tables analyzed; statements counted on the dispatcher's connections over ${sc.ticks} ticks after 3 warm-up ticks (per tick: ${large.statements.map((x) => `\`${x}\``).join(', ')}). Its due query (EXPLAIN ANALYZE): ${large.duePlan.nodes}, ${large.duePlan.buffers} buffers and ${large.duePlan.rowsRead} rows read at ${int(large.clinics)} clinics (at ${int(small.clinics)}: ${small.duePlan.nodes}, ${small.duePlan.buffers} buffers, ${small.duePlan.rowsRead} rows). Tick time is milliseconds on a shared 2-core machine: noisy (max ${f1(large.tickMs.max)} ms at ${int(large.clinics)}, ${f1(small.tickMs.max)} ms at ${int(small.clinics)}). Fan-out: ${f1(fanOut.statementsPerClinic)} statements per queued clinic (audit, job and planning state in the batch's transaction).`,
    );
  }

  if (runs('capacity')) {
    process.stdout.write(
      `8/${TOTAL} capacity: one worker, ${capacityClinics} clinics of 60 visits a day, 100 ms PIMS latency...\n`,
    );
    const c = await benchCapacity(freshDatabase, { clinics: capacityClinics });
    rows.push([
      `8a. Capacity of one worker (${c.clinics} clinics of ${c.visitsPerDay} visits a day, ${c.latencyMs} ms PIMS latency)`,
      `${int(c.clinicsPerHour)} clinics/hour: ${int(c.perNight)} clinics one worker syncs in a 4-hour night`,
      `${c.clinics} clinics (${int(c.visits)} visits) in ${f1(c.seconds)} s; one sync ${f1(c.syncSeconds.p50)} s median, ${f1(c.syncSeconds.max)} s max; ${c.concurrency} syncs at a time`,
      '',
      '',
    ]);
    rows.push([
      `8b. Peak RSS of that worker with its Chromium`,
      `${f1(c.peakRssMb.total)} MiB (${c.peakRssMb.processes} processes)`,
      `Node ${f1(c.peakRssMb.node)} MiB; Chromium ${f1(c.peakRssMb.browser)} MiB`,
      '',
      '',
    ]);
    notes.push(
      [
        `Capacity: one worker process (PIMS_SYNC_WORKER_CONCURRENCY=${c.concurrency}${c.concurrency === 2 ? ', the default' : ''}) drains ${c.clinics} queued full syncs of simulated clinics (the simulator's generator, 14 days back and 14 forward, ${c.visitsPerDay} visits a day) behind ${c.latencyMs} ms latency; time from the first sync's start to the last one's end, from the audits.`,
        `The 4-hour figure is that rate times 4 (a steady queue; it assumes the PIMS answers as fast all night). The worker's processes used ${f2(c.cpuCores)} cores meanwhile (of the machine's ${os.cpus().length}, shared with the bench, PostgreSQL and the simulator).`,
        c.nodeOptions ? `The worker ran with NODE_OPTIONS=${c.nodeOptions}.` : '',
        c.clinics < 50
          ? `Measured on ${c.clinics} clinics, not 50 (BENCH_CAPACITY_CLINICS=${c.clinics}).`
          : '',
        `RSS: the worker's whole process tree from /proc (tsx launcher, Node, Chromium's processes), sampled every 250 ms; at the peak: ${Object.entries(
          c.peakByName,
        )
          .map(([name, v]) => `${name} x${v.count} ${f1(v.mb)} MiB`)
          .join(
            ', ',
          )}. Node's RSS as the syncs completed: ${c.growth.map((g) => `${f1(g.nodeMb)} MiB after ${g.syncsDone}`).join(', ')} (the whole tree: ${c.growth.map((g) => f1(g.totalMb)).join(', ')} MiB).`,
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  if (runs('booking')) {
    process.stdout.write(`9/${TOTAL} booking: availability with 10 vs 1,000 clinics, 200 bookings for 100 seats...\n`);
    const bk = await benchBooking(freshDatabase);
    const { small: as, large: al } = bk.availability;
    const r = bk.race;
    const cc = r.concurrent;
    const se = r.serial;
    const errs = (x: typeof cc) => Object.entries(x.errors).map(([k, v]) => `${v} x ${k}`).join(', ') || 'none';
    rows.push([
      `9a. Availability, one clinic's ${bk.days} days (${int(al.rows.slots)} vs ${int(as.rows.slots)} slot rows)`,
      `${int(al.clinics)} clinics: ${f2(al.ms.p50)} ms median, ${f2(al.ms.p99)} ms p99`,
      `${int(as.clinics)} clinics: ${f2(as.ms.p50)} ms median, ${f2(as.ms.p99)} ms p99`,
      `median ${f2(bk.availability.ratioP50)}x; p99 ${f2(bk.availability.ratioP99)}x`,
      `median and p99 <= 1.5x: ${mark(bk.availability.ratioP50 <= 1.5 && bk.availability.ratioP99 <= 1.5)}`,
    ]);
    rows.push([
      `9b. ${r.requests} bookings over ${r.slots} slots of ${r.capacity} seats (${r.via === 'http' ? 'HTTP API' : 'BookingService'})`,
      `at once: ${f1(cc.requestsPerSecond)} requests/s (${f1(cc.bookingsPerSecond)} bookings/s), p99 ${f1(cc.latencyMs.p99)} ms; ${cc.booked} booked, ${cc.refused} refused, ${cc.oversoldSeats} oversold`,
      `one at a time: ${f1(se.requestsPerSecond)} requests/s (${f1(se.bookingsPerSecond)} bookings/s), p99 ${f1(se.latencyMs.p99)} ms; ${se.booked} booked, ${se.oversoldSeats} oversold`,
      `${f2(r.ratio)}x throughput`,
      `>= 3x and 0 oversold, booked = ${r.seats} seats: ${mark(r.ratio >= 3 && cc.oversoldSeats === 0 && se.oversoldSeats === 0 && cc.booked === r.seats && se.booked === r.seats)}`,
    ]);
    notes.push(
      [
        `Booking (a): BookingService.availability (findClinic, then public.slot_availability for the clinic's ${bk.days} local days from today; ${al.slotsReturned} slots returned, those starting after now) on a pool of ${r.poolMax}, ${al.samples} calls one after another after 30 warm-up calls, on a database with ${int(as.clinics)} clinics in the tables (${int(as.rows.slots)} slots, ${int(as.rows.appointments)} synced appointments, ${int(as.rows.bookings)} bookings) and on one with ${int(al.clinics)} (${int(al.rows.slots)} slots, ${int(al.rows.appointments)} appointments, ${int(al.rows.bookings)} bookings), the same clinic (seeded alike in both) measured, in 8 alternating rounds; each clinic has ${bk.days} days x ${bk.slotsPerDay} slots (07:00-21:00, 30 minutes), an appointment in every slot on the hour and two bookings a day (one written back and linked, one pending); vacuum analyze after each load.`,
        `The function's query (EXPLAIN ANALYZE BUFFERS of its body, bound to the clinic's days) at ${int(al.clinics)} clinics: ${al.plan.nodes}, ${al.plan.buffers} buffers, ${f2(al.plan.ms)} ms in the server; at ${int(as.clinics)}: ${as.plan.nodes === al.plan.nodes ? 'the same plan' : as.plan.nodes}, ${as.plan.buffers} buffers, ${f2(as.plan.ms)} ms. Max of the calls: ${f1(al.ms.max)} ms vs ${f1(as.ms.max)} ms. The machine is shared (2 cores, other work running), so milliseconds are noisy, buffers are not.`,
        `Booking (b): ${r.via === 'http' ? `POST /api/bookings on a pims-sync api process of this checkout (its pool of ${r.poolMax} connections), each request over HTTP from this process` : `BookingService.book in this process on a pool of ${r.poolMax} connections (the HTTP API was not used: ${r.httpUnavailable ?? 'asked for'})`}; ${r.requests} requests spread evenly over ${r.slots} slots of capacity ${r.capacity} (${r.seats} seats), each with its own idempotency key; at once = all ${r.requests} sent together (${f1(cc.seconds)} s, p50 ${f1(cc.latencyMs.p50)} ms, max ${f1(cc.latencyMs.max)} ms); one at a time = the same ${r.requests} in sequence to another clinic's ${r.slots} slots like them (${f1(se.seconds)} s, p50 ${f1(se.latencyMs.p50)} ms). Refused = 409 slot_unavailable (its answer carries alternatives). Other answers: at once ${errs(cc)}; one at a time ${errs(se)}. Oversold = for each slot, confirmed bookings - (capacity - booked_count) when positive: ${cc.oversoldSlots} slots at once, ${se.oversoldSlots} one at a time. CPU per request (ms; sender / api / PostgreSQL): at once ${f2(cc.cpuMsPerRequest.bench)} / ${f2(cc.cpuMsPerRequest.api)} / ${f2(cc.cpuMsPerRequest.postgres)}, one at a time ${f2(se.cpuMsPerRequest.bench)} / ${f2(se.cpuMsPerRequest.api)} / ${f2(se.cpuMsPerRequest.postgres)}; the machine's cores were ${f1(cc.machineBusy * 100)}% and ${f1(se.machineBusy * 100)}% busy (all users). One at a time, the requests kept ${f2(r.cores / r.ceiling)} cores busy on average (their CPU over their wall time): at that serial pace, ${r.cores} cores allow at most ${f2(r.ceiling)}x by running requests side by side, and less when other work holds the cores.`,
      ].join(' '),
    );
  }

  if (runs('writeback')) {
    process.stdout.write(`10/${TOTAL} write-back lag: 50 bookings written into the simulator at 100 ms latency...\n`);
    const wb = await benchWriteBackLag(freshDatabase);
    const allWritten = (wb.statuses.written ?? 0) === wb.bookings;
    const kinds = Object.entries(wb.byKind)
      .map(([k, v]) => `${k} (${v.n}): lag ${int(v.lagP50)} ms median, ${v.requestsP50} requests (${v.roundsP50} one after another) median: ${Object.entries(v.byPath).map(([p, n]) => `${p} x${n}`).join(', ')}`)
      .join('; ');
    rows.push([
      `10. Write-back lag, booking -> written (${wb.bookings} bookings, ${wb.latencyMs} ms PIMS latency)`,
      `${int(wb.lagMs.p50)} ms median, ${int(wb.lagMs.p95)} ms p95 (${Object.entries(wb.statuses).map(([k, v]) => `${v} ${k}`).join(', ')})`,
      `lower bound ${int(wb.boundMs.p50)} ms median (${wb.boundMs.p50 / wb.latencyMs} PIMS requests one after another x ${wb.latencyMs} ms)`,
      `${f2(wb.ratio.p50)}x the bound median, ${f2(wb.ratio.p95)}x p95`,
      `median and p95 <= 2x, all written: ${mark(wb.ratio.p50 <= 2 && wb.ratio.p95 <= 2 && allWritten)}`,
    ]);
    notes.push(
      [
        `Write-back lag: a pims-sync api process and a worker process (its IDEXX Neo client in Chromium) of this checkout on a fresh database; the clinic's slots from a full sync of the simulated clinic (no latency for it); then ${wb.latencyMs} ms latency on every simulator request and ${wb.warmUp} warm-up bookings (the first: ${int(wb.first.lagMs)} ms, ${wb.first.status}, ${wb.first.requests} requests: ${Object.entries(wb.first.byPath).map(([p, n]) => `${p} x${n}`).join(', ')}), then ${wb.bookings} bookings made one after another with POST /api/bookings, each on its own slot, alternately a caller the PIMS knows (its client and patient) and a new one; lag = from sending the booking request to reading write_back_status <> 'pending' in the database (polled every 20 ms), then 300 ms before the next booking.`,
        `Lower bound per booking = the PIMS requests its write sent, counted by a proxy in front of the simulator (every request, with its start and end; the longest run of them one after another, which is their count when none overlapped) x ${wb.latencyMs} ms; ratio = the booking's lag / its own bound (median and p95 over the ${wb.bookings}). Requests per write: median ${wb.requestsPerWrite.p50}, ${wb.requestsPerWrite.min}..${wb.requestsPerWrite.max}; bound ${int(wb.boundMs.min)}..${int(wb.boundMs.max)} ms. ${kinds}. The simulator's own counters per write (GET /__sim/stats; they leave out the client search, the duplicate check and pages): ${Object.entries(wb.simCountedPerWrite).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. Medians of where the time went: ${int(wb.phasesMs.pickup)} ms from the booking request to the write's first PIMS request (the API's answer and the queue's pick-up: the worker's ${wb.poll.consumers} pg-boss consumers each poll every ${wb.poll.seconds} s${wb.poll.defaults ? ', the defaults' : ` (PIMS_SYNC_POLL_SECONDS / PIMS_SYNC_WRITE_BACK_CONCURRENCY set for this run)`}), ${int(wb.phasesMs.pims)} ms from there to the last PIMS answer, ${int(wb.phasesMs.tail)} ms from it to written read. Requests after written, before the next booking: ${wb.trailingRequests} in all. The machine is shared (2 cores, other work running): lag over the bound includes its scheduling noise.`,
      ].join(' '),
    );
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const header = ['benchmark', 'measured', 'baseline (same run)', 'ratio', 'target'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${f1(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average (1, 5, 15 min) at the start ${loadAtStart.map(f2).join(' ')}, at the end ${os.loadavg().map(f2).join(' ')}`;
const doc = `# Benchmarks

Written by \`npm run bench\` (${new Date().toISOString()}, ${f1((Date.now() - started) / 1000)} s, code at ${version}). Every figure is measured
against its baseline in the same run, on the same machine; none comes from a test assertion.

Machine: ${machine}.

${table}

${notes.map((n) => `- ${n}`).join('\n')}

How each is measured: \`tools/bench/\` (write-path.ts, full-sync.ts + sync-worker.ts, queue-throughput.ts, history.ts,
scheduler.ts, capacity.ts, booking.ts, write-back-lag.ts; \`npm run bench -- --only=scheduler,capacity\` runs parts, BENCH_CAPACITY_CLINICS sets the
capacity bench's clinic count, default 50). The PostgreSQL is the embedded one with durable settings (fsync on). The PIMS is the simulator with
the stated latency; the sync runs in real Chromium through the IDEXX Neo client.
`;
if (only) {
  process.stdout.write(
    `\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n(--only: docs/benchmarks.md not written)\n`,
  );
} else {
  writeFileSync(path.join(root, 'docs/benchmarks.md'), doc);
  process.stdout.write(`\n${table}\n\nwritten to docs/benchmarks.md\n`);
}
process.exit(0);
