import { readFileSync, readdirSync } from 'node:fs';

export interface TreeRss {
  /** Every process of the tree. */
  total: number;
  /** The Node processes (the tsx launcher and the service). */
  node: number;
  /** Everything else: Chromium's browser, GPU, utility and renderer processes. */
  browser: number;
  processes: number;
  /** RSS and count by process name (/proc/<pid>/status Name). */
  byName: Record<string, { bytes: number; count: number }>;
}

function childrenMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended
    }
  }
  return children;
}

/** The processes of a tree, root first. */
function treeOf(pid: number): number[] {
  const children = childrenMap();
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * CPU seconds (user + system) used by a process tree so far: its live processes' own times plus
 * the times of the children they have reaped (Linux clock ticks of 1/100 s).
 */
export function cpuSecondsOfTree(pid: number): number {
  let ticks = 0;
  for (const p of treeOf(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields 14-17 of stat (utime, stime, cutime, cstime) are at 11-14 after the name
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // ended
    }
  }
  return ticks / 100;
}

/** RSS (bytes) of a process and all its descendants, from /proc, split into Node and the rest. */
export function rssOfTree(pid: number): TreeRss {
  const out: TreeRss = { total: 0, node: 0, browser: 0, processes: 0, byName: {} };
  for (const p of treeOf(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? '';
      if (m) {
        const bytes = Number(m[1]) * 1024;
        out.total += bytes;
        if (name === 'node' || name.startsWith('tsx')) out.node += bytes;
        else out.browser += bytes;
        out.processes++;
        const b = (out.byName[name] ??= { bytes: 0, count: 0 });
        b.bytes += bytes;
        b.count++;
      }
    } catch {
      // ended
    }
  }
  return out;
}

/** Samples a process tree's RSS until stopped; keeps the peak of the total (and its split at that moment). */
export function sampleTreeRss(pid: number, everyMs = 250): { stop(): TreeRss } {
  let peak: TreeRss = { total: 0, node: 0, browser: 0, processes: 0, byName: {} };
  const take = () => {
    const now = rssOfTree(pid);
    if (now.total > peak.total) peak = now;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const mib = (bytes: number) => bytes / 2 ** 20;
