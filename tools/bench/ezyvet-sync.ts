import type pg from 'pg';
import { createEzyvetProvider } from '@pims/ezyvet';
import { startEzyvetSimulator, type EzyvetSimulator } from '@pims/ezyvet-sim';
import { generateClinic, type AppointmentScenarioInput, type GeneratedClinic } from '@pims/idexx-neo-sim';
import { createOrchestrator, createRepositories } from '@pims/pims-sync';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';

export interface EzyvetSyncResult {
  visits: number;
  latencyMs: number;
  perEndpointPerMinute: number;
  perClinicPerMinute: number;
  first: { seconds: number; requests: number; byEndpoint: Record<string, number>; lowerBoundSeconds: number; latencyBoundSeconds: number; rateBoundSeconds: number; ratio: number; status: string };
  resync: { seconds: number; requests: number; appointmentRequests: number; changed: number; requestShare: number; appointmentRequestShare: number; timeShare: number; status: string };
  firstAppointmentRequests: number;
}

/** 5% of the visits change: every 20th becomes a no-show (past) or moves an hour later (ahead). */
export function changeFivePercent(clinic: GeneratedClinic, today: string): { clinic: GeneratedClinic; changed: number } {
  let changed = 0;
  const appointments = clinic.appointments!.map((a: AppointmentScenarioInput, i: number) => {
    if (a.isBlock || a.isRoster || i % 20 !== 7) return a;
    changed++;
    const start = typeof a.start === 'string' ? a.start : null;
    if (start && start.slice(0, 10) > today) {
      const hour = Number(start.slice(11, 13));
      return { ...a, start: `${start.slice(0, 11)}${String(Math.min(hour + 1, 16)).padStart(2, '0')}${start.slice(13)}` };
    }
    return { ...a, status: 'no_show' as const };
  });
  return { clinic: { ...clinic, appointments }, changed };
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((n, v) => n + v, 0);
const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - (b[k] ?? 0)]));

/**
 * ezyVet at 100 ms latency under its documented limits (60 requests a minute per endpoint, 180 per
 * clinic, in the simulator and in the provider): a full sync of the clinic the Neo bench syncs (the
 * same generated visits), then a re-sync after 5% of the visits changed (incremental: only what
 * changed since the last fetch).
 *
 * The lower bound of the first sync is what no client could beat with the requests it made: the
 * larger of (a) the rate limits, each endpoint's requests past its first minute's allowance at 60 a
 * minute, and all of them past the clinic's at 180 a minute, and (b) the latency: the round trips of
 * the critical path (below) times 100 ms.
 */
export async function benchEzyvetSync(pool: pg.Pool, opts: { visitsPerDay?: number; latencyMs?: number } = {}): Promise<EzyvetSyncResult> {
  const latencyMs = opts.latencyMs ?? 100;
  const perEndpointPerMinute = 60;
  const perClinicPerMinute = 180;
  const now = new Date();
  const tz = 'America/New_York';
  const clinic = generateClinic({ seed: 'bench', companyId: '7001', name: 'Bench Clinic', timezone: tz, visitsPerDay: opts.visitsPerDay ?? 60, now, password: 'Bench-Pass-2026!', username: 'bench' });
  const sim: EzyvetSimulator = await startEzyvetSimulator({ port: 0, now, scenario: { clinics: [clinic] }, rateLimitPerMinute: perEndpointPerMinute, rateLimitPerClinicPerMinute: perClinicPerMinute });
  const provider = createEzyvetProvider({ rateLimit: { perEndpointPerMinute, perClinicPerMinute } });
  const key = parseEncryptionKey(generateEncryptionKey());
  const repositories = createRepositories(pool, key);
  const orchestrator = createOrchestrator({ pool, credentialsKey: key, repositories, providers: [provider] });
  try {
    const { id: clinicId } = await repositories.clinics.create({
      name: 'Bench Clinic (ezyVet)',
      timezone: tz,
      pims: { provider: 'ezyvet', baseUrl: sim.url, partnerId: 'bench-partner', clientId: '7001', clientSecret: 'Bench-Pass-2026!' },
      schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5, 6], slotDurationMinutes: 30, capacity: 4 },
    });
    sim.setFaults({ latencyMs, jitterMs: 0 });
    sim.resetStats();
    const t1 = performance.now();
    const first = await orchestrator.runBidirectionalSync({ clinicId, triggeredBy: 'api' });
    const firstSeconds = (performance.now() - t1) / 1000;
    const byEndpoint = { ...sim.stats().requests } as Record<string, number>;
    const requests = sum(byEndpoint);
    const rateBoundSeconds = Math.max(
      ...Object.values(byEndpoint).map((n) => (Math.max(0, n - perEndpointPerMinute) / perEndpointPerMinute) * 60),
      (Math.max(0, requests - perClinicPerMinute) / perClinicPerMinute) * 60,
    );
    // The critical path, in round trips no client can overlap: backward inbound needs a token, the
    // first page of the window, its other pages, then the records they name (animals, contacts and
    // their details, consults: one round in parallel); enrichment reads its consultations in batches
    // of 100, five at once, each the consult with its records then their presenting problems (2
    // rounds); forward inbound its window's pages (2) and their records (1); reconciliation reads
    // nothing new (its window is inside the backward one).
    const consultations = first.phases.find((p) => p.name === 'case_enrichment')?.stats.fetched ?? 0;
    const rounds = 4 + 2 * Math.ceil(Math.ceil(consultations / 100) / 5) + 3;
    const latencyBoundSeconds = (rounds * latencyMs) / 1000;
    const lowerBoundSeconds = Math.max(rateBoundSeconds, latencyBoundSeconds);

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(now);
    const { clinic: changedClinic, changed } = changeFivePercent(clinic, today);
    sim.setScenario({ clinics: [changedClinic] });
    const before = { ...sim.stats().requests } as Record<string, number>;
    const t2 = performance.now();
    const second = await orchestrator.runBidirectionalSync({ clinicId, triggeredBy: 'api' });
    const resyncSeconds = (performance.now() - t2) / 1000;
    const resyncBy = minus({ ...sim.stats().requests } as Record<string, number>, before);
    const resyncRequests = sum(resyncBy);
    return {
      visits: clinic.appointments!.filter((a) => !a.isBlock && !a.isRoster).length,
      latencyMs,
      perEndpointPerMinute,
      perClinicPerMinute,
      first: { seconds: firstSeconds, requests, byEndpoint, lowerBoundSeconds, latencyBoundSeconds, rateBoundSeconds, ratio: firstSeconds / lowerBoundSeconds, status: first.status },
      firstAppointmentRequests: byEndpoint.appointment ?? 0,
      resync: {
        seconds: resyncSeconds,
        requests: resyncRequests,
        appointmentRequests: resyncBy.appointment ?? 0,
        changed,
        requestShare: resyncRequests / requests,
        appointmentRequestShare: (resyncBy.appointment ?? 0) / (byEndpoint.appointment || 1),
        timeShare: resyncSeconds / firstSeconds,
        status: second.status,
      },
    };
  } finally {
    await orchestrator.close();
    await provider.close();
    await sim.close();
  }
}
