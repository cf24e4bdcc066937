/**
 * `npm run bench`: each figure measured against its baseline in the same run, printed as a table and
 * written to docs/benchmarks.md with the machine's description.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, runMigrations, startEmbeddedPostgres, withDatabase } from '@pims/db';
import pg from 'pg';
import { benchWritePath } from './write-path';
import { benchFullSync } from './full-sync';
import { benchQueueThroughput } from './queue-throughput';
import { benchHistory } from './history';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');

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
  process.stdout.write('1/5 write path...\n');
  const w = await freshDatabase('bench_write');
  const wp = await benchWritePath(w.pool);
  await w.pool.end();
  notes.push(
    `Write path: COPY itself is ${f1(wp.copy.rowsPerSecond / wp.perRow.rowsPerSecond)}x the one-statement-per-row baseline on this machine (fsync on), so 20x the baseline would need ${f2(20 / (wp.copy.rowsPerSecond / wp.perRow.rowsPerSecond))} of COPY; the repository reaches ${f2(wp.ofCopy)} of COPY with batches of 1,000 rows sent as one JSON document (jsonb_to_recordset), an upsert that skips unchanged rows, and a commit per batch.`,
  );
  rows.push(['1. Write path (20,000 cases)', `repository ${wp.repository.rowsPerSecond} rows/s`, `one statement per row ${wp.perRow.rowsPerSecond} rows/s; COPY ${wp.copy.rowsPerSecond} rows/s`, `${f1(wp.vsPerRow)}x per-row; ${f2(wp.ofCopy)} of COPY`, `>= 20x: ${mark(wp.vsPerRow >= 20)}; >= 0.3: ${mark(wp.ofCopy >= 0.3)}`]);

  process.stdout.write('2-3/5 full sync and unchanged re-sync...\n');
  const s = await freshDatabase('bench_sync');
  const fs = await benchFullSync(s.pool, s.url);
  await s.pool.end();
  rows.push(['2. Full sync, 100 ms PIMS latency', `${f1(fs.first.seconds)} s (${fs.visits} visits, ${fs.consultations} consultations)`, `lower bound ${f1(fs.first.lowerBoundSeconds)} s`, `${f2(fs.first.ratio)}x the bound`, `<= 1.5x: ${mark(fs.first.ratio <= 1.5)}`]);
  rows.push(['3. Same sync, nothing changed', `${f2(fs.unchanged.seconds)} s, ${fs.unchanged.rowsWritten} rows written, ${fs.unchanged.consultationRequests} consultation requests`, `first sync ${f1(fs.first.seconds)} s`, `${f1(fs.unchanged.shareOfFirst * 100)}% of the first`, `0 rows, 0 requests, < 15%: ${mark(fs.unchanged.rowsWritten === 0 && fs.unchanged.consultationRequests === 0 && fs.unchanged.shareOfFirst < 0.15)}`]);
  notes.push(`Phase times (s): first ${JSON.stringify(fs.phaseSeconds.first)}; unchanged ${JSON.stringify(fs.phaseSeconds.unchanged)}.`);

  process.stdout.write('4/5 queue throughput, one and two worker processes...\n');
  const q = await benchQueueThroughput(freshDatabase);
  notes.push(
    `Queue: each worker process runs one Chromium, launched with its log-in page before it takes jobs; clinic sessions log in on that one page and hand their cookies to a context with no page, so a session starts no renderer process. With one worker the machine's 2 cores were ${f1(q.one.cpuBusy * 100)}% busy, with two ${f1(q.two.cpuBusy * 100)}%; syncs of different clinics ran in parallel and no clinic ever had two at once. Time = first sync started .. last sync completed, from the audits.`,
  );
  rows.push(['4. 12 clinics through the queue (1 sync at a time per worker process)', `two workers ${f1(q.two.seconds)} s (CPU ${f1(q.two.cpuBusy * 100)}% busy)`, `one worker ${f1(q.one.seconds)} s (CPU ${f1(q.one.cpuBusy * 100)}% busy)`, `${f2(q.ratio)}x throughput`, `>= 1.7x: ${mark(q.ratio >= 1.7)}`]);

  process.stdout.write('5/5 memory and the history page at 100,000 audits...\n');
  const h = await benchHistory(freshDatabase);
  rows.push(['5a. Peak RSS of the worker during 2', `${f1(fs.peakWorkerRssMb)} MiB (node)`, `with its Chromium: ${f1(fs.peakWorkerWithBrowserRssMb)} MiB`, '', '']);
  rows.push(['5b. Web server with 100,000 audit rows', `peak RSS ${f1(h.webPeakRssMb)} MiB`, `idle ${f1(h.webIdleRssMb)} MiB`, '', '']);
  rows.push(['5c. History page server time at 100,000 rows', `${f1(h.historyMs.p50)} ms median, ${f1(h.historyMs.p95)} ms p95 (first page, 20 rows, web tRPC -> pims-sync -> Postgres)`, `pims-sync alone ${f1(h.apiMs.p50)} ms median; deep page ${f1(h.deepPageMs.p50)} ms`, '', `< 300 ms: ${mark(h.historyMs.p95 < 300)}`]);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const header = ['benchmark', 'measured', 'baseline (same run)', 'ratio', 'target'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${f1(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average at the end ${os.loadavg().map(f2).join(' ')}`;
const doc = `# Benchmarks

Written by \`npm run bench\` (${new Date().toISOString()}, ${f1((Date.now() - started) / 1000)} s). Every figure is measured
against its baseline in the same run, on the same machine; none comes from a test assertion.

Machine: ${machine}.

${table}

${notes.map((n) => `- ${n}`).join('\n')}

How each is measured: \`tools/bench/\` (write-path.ts, full-sync.ts + sync-worker.ts, queue-throughput.ts, history.ts).
The PostgreSQL is the embedded one with durable settings (fsync on). The PIMS is the simulator with
the stated latency; the sync runs in real Chromium through the IDEXX Neo client.
`;
writeFileSync(path.join(root, 'docs/benchmarks.md'), doc);
process.stdout.write(`\n${table}\n\nwritten to docs/benchmarks.md\n`);
process.exit(0);
