/**
 * Benchmark worker: a process that runs a full sync of one clinic twice (the second time against an
 * unchanged PIMS), as a pims-sync worker would, and reports times and its peak memory.
 * Input (env): DATABASE_URL, CLINIC_ID, CREDENTIALS_KEY, CHROMIUM_PATH?. Output: one JSON line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createPool } from '@pims/db';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import { createOrchestrator, createRepositories } from '@pims/pims-sync';
import { parseEncryptionKey } from '@pims/util';

function rssOfTree(pid: number): number {
  // RSS (bytes) of a process and all its descendants, from /proc.
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // process ended
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // ended
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

const pool = createPool(process.env.DATABASE_URL!, { max: 10 });
const provider = createIdexxNeoProvider({ chromiumPath: process.env.CHROMIUM_PATH || undefined });
const credentialsKey = parseEncryptionKey(process.env.CREDENTIALS_KEY!);
// Built as pims-sync builds it (its composition root), without the queue: this process runs the syncs itself.
const orchestrator = createOrchestrator({ pool, credentialsKey, repositories: createRepositories(pool, credentialsKey), providers: [provider] });
let peakNode = 0;
let peakTree = 0;
const sampler = setInterval(() => {
  peakNode = Math.max(peakNode, process.memoryUsage().rss);
  peakTree = Math.max(peakTree, rssOfTree(process.pid));
}, 100);

// As a pims-sync worker does at start: the browser is launched before the first sync.
await provider.warmUp?.();
const runs = [];
for (const label of ['first', 'unchanged']) {
  const t = performance.now();
  const audit = await orchestrator.runBidirectionalSync({ clinicId: process.env.CLINIC_ID!, triggeredBy: 'api' });
  runs.push({ label, seconds: (performance.now() - t) / 1000, status: audit.status, phases: audit.phases, casesCreated: audit.casesCreated, casesUpdated: audit.casesUpdated });
  if (label === 'first') process.stdout.write(`${JSON.stringify({ marker: 'first-done' })}\n`);
}
clearInterval(sampler);
await orchestrator.close();
await provider.close();
await pool.end();
process.stdout.write(`${JSON.stringify({ runs, peakNodeRssMb: peakNode / 2 ** 20, peakTreeRssMb: peakTree / 2 ** 20 })}\n`);
