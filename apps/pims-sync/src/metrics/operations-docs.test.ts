// The example Grafana dashboard and the Prometheus alert rules in docs/operations/: they parse, and
// every metric and label they name is one this service exports (from the registry's own output), so
// a renamed metric breaks this test instead of silently blinding an alert.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOOKING_CHANGES, BOOKING_EVENT_SOURCES, QUEUE_LABELS, RUN_END_STATUSES, WRITE_BACK_ACTIONS, WRITE_BACK_OUTCOMES } from './labels';
import { PimsSyncMetrics } from './metrics';
import { declaredMetrics } from './testing/prom-text';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/operations');
const read = (file: string) => readFileSync(path.join(DOCS, file), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets: { refId: string; expr: string }[];
}

async function exported() {
  const metrics = new PimsSyncMetrics({ processMetrics: true });
  const families = declaredMetrics(await metrics.render());
  const series = new Set<string>();
  for (const [name, type] of families) {
    series.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(`${name}${suffix}`);
  }
  const labelsOf = (name: string): string[] => {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    const metric = metrics.registry.getSingleMetric(families.has(name) ? name : family) as unknown as { labelNames?: string[] } | undefined;
    return [...(metric?.labelNames ?? []), ...(name.endsWith('_bucket') ? ['le'] : [])];
  };
  return { series, labelsOf };
}

/** The values a selector may name for a label of a pims metric (its fixed list). */
const VALUES: Record<string, Record<string, readonly string[]>> = {
  pims_sync_runs_total: { status: RUN_END_STATUSES },
  pims_write_back_total: { status: WRITE_BACK_OUTCOMES, action: WRITE_BACK_ACTIONS },
  pims_bookings_total: { status: BOOKING_CHANGES, source: BOOKING_EVENT_SOURCES },
  pims_sync_queue_depth: { queue: QUEUE_LABELS },
  pims_sync_queue_deferred: { queue: QUEUE_LABELS },
  pims_sync_oldest_queued_seconds: { queue: QUEUE_LABELS },
};

/** Checks every metric an expression names (and its selectors' labels) against the registry. */
async function checkExpr(expr: string, where: string) {
  const { series, labelsOf } = await exported();
  const names = [...expr.matchAll(/\b((?:pims|process|nodejs)_[a-z_]+)\b/g)].map((m) => m[1]);
  expect(names.length, `${where}: names no metric`).toBeGreaterThan(0);
  for (const name of names) expect(series.has(name), `${where}: ${name} is not exported`).toBe(true);
  for (const m of expr.matchAll(/\b((?:pims|process|nodejs)_[a-z_]+)\{([^}]*)\}/g)) {
    const [, name, body] = m;
    for (const matcher of body.matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      const [, labelName, op, value] = matcher;
      expect(labelsOf(name), `${where}: ${name} has no label ${labelName}`).toContain(labelName);
      const allowed = VALUES[name]?.[labelName];
      if (allowed && (op === '=' || op === '=~')) {
        for (const v of value.split('|')) expect(allowed, `${where}: ${name}{${labelName}} is never "${v}"`).toContain(v);
      }
    }
  }
  for (const m of expr.matchAll(/\bby \(([^)]*)\)/g)) {
    const grouped = m[1].split(',').map((s) => s.trim());
    const known = new Set(names.flatMap(labelsOf));
    for (const g of grouped) expect(known.has(g), `${where}: grouped by ${g}, which none of its metrics has`).toBe(true);
  }
}

describe('docs/operations/alerts.yml', () => {
  const doc = parse(read('alerts.yml')) as { groups: { name: string; rules: Rule[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);

  it('is a Prometheus rule file: groups of named alerts, each with an expression, a severity and a summary', () => {
    expect(doc.groups.length).toBeGreaterThan(0);
    for (const g of doc.groups) expect(g.name).toMatch(/\S/);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(typeof r.expr, r.alert).toBe('string');
      expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toMatch(/\S/);
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('has the three alerts the on-call engineer asked for: a clinic with no completed sync in 36 h, write-backs failing, a queue waiting over 15 minutes', () => {
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('PimsSyncClinicStale')?.expr).toMatch(/pims_sync_last_success_timestamp_seconds[\s\S]*> 36 \* 3600/);
    expect(byName.get('PimsWriteBackFailing')?.expr).toContain('pims_write_back_total{status="failed"}');
    expect(byName.get('PimsSyncQueueAgeHigh')?.expr).toMatch(/pims_sync_oldest_queued_seconds[\s\S]*> 15 \* 60/);
  });

  it('names only metrics and labels this service exports', async () => {
    for (const r of rules) await checkExpr(r.expr, r.alert);
  });
});

describe('docs/operations/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('grafana-dashboard.json')) as { title: string; uid: string; panels: Panel[]; templating: { list: { name: string; type: string }[] } };

  it('is a Grafana dashboard on a Prometheus data source variable, with unique panel ids and non-overlapping panels', () => {
    expect(dashboard.title).toBe('PIMS Sync');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps another panel`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('shows runs by status, phase p50 and p95, PIMS requests by outcome, queue depth and age, bookings and write-backs', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toContain('sum by (status) (increase(pims_sync_runs_total');
    expect(exprs).toContain('histogram_quantile(0.5, sum by (le, phase) (rate(pims_sync_phase_duration_seconds_bucket');
    expect(exprs).toContain('histogram_quantile(0.95, sum by (le, phase) (rate(pims_sync_phase_duration_seconds_bucket');
    expect(exprs).toContain('sum by (provider, outcome) (rate(pims_requests_total');
    for (const m of ['pims_sync_queue_depth', 'pims_sync_oldest_queued_seconds', 'pims_bookings_total', 'pims_write_back_total']) expect(exprs).toContain(m);
  });

  it('names only metrics and labels this service exports', async () => {
    for (const p of dashboard.panels) for (const t of p.targets) await checkExpr(t.expr, `${p.title} ${t.refId}`);
  });
});
