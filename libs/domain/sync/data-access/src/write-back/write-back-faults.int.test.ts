// Exactly once under faults, on a real PostgreSQL with two pools (two worker processes) and the
// port's in-memory PIMS: failures before a write, lost answers after it, a delivery that died after
// the PIMS booked, two deliveries of one booking at once, the retry budget, the admin's retry, and
// the sweep that sends a lost job again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pimsAuthFailed, pimsUnavailable } from '@pims/pims';
import { isAppError } from '@pims/util';
import type { BookingView } from '@pims/sync-contracts';
import type { BookingService } from '../bookings/booking.service';
import { tryBookingLease } from './write-back-lease';
import { appointmentsOf, bookingRequest, createWriteBackFixture, faultyProvider, lostAnswer, type WriteBackFixture } from './write-back.fixture';
import type { WriteBackResult, WriteBackService } from './write-back.service';

let w: WriteBackFixture;
let writeBack: WriteBackService;
let bookings: BookingService;

beforeAll(async () => {
  w = await createWriteBackFixture();
  writeBack = w.writeBack();
  bookings = w.bookings(writeBack);
});
afterAll(async () => {
  await w?.close();
});

/** A seeded PRNG (mulberry32): the same faults on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('exactly one appointment per booking', () => {
  it('30 bookings (10 callers, 3 pets each) written by two workers at once, with 20% of writes failing before and 20% losing their answer after: each booking written once, each caller one client', async () => {
    const { clinicId, pims } = await w.addClinic();
    const slots = await w.f.query<{ id: string }>(`select id from public.schedule_slots where clinic_id = $1 and date = $2 order by start_time`, [clinicId, w.day]);
    const made: BookingView[] = [];
    for (let i = 0; i < 30; i++) {
      const caller = Math.floor(i / 3);
      made.push(
        await bookings.book(
          bookingRequest(clinicId, slots[i % slots.length].id, {
            client: { firstName: 'Caller', lastName: `N${caller}`, phone: `+1555200${String(caller).padStart(4, '0')}` },
            patient: { name: `Pet ${i}` },
          }),
        ),
      );
    }
    w.jobs.sent.splice(0);
    const random = prng(42);
    const faults = {
      // Each write takes a few milliseconds, so the deliveries interleave as they do against a real PIMS.
      gate: () => new Promise<void>((r) => setTimeout(r, 1 + Math.floor(random() * 4))),
      before: () => (random() < 0.2 ? pimsUnavailable('IDEXX Neo answered 503') : undefined),
      after: () => (random() < 0.2 ? lostAnswer() : undefined),
    };
    const provider = faultyProvider(w.fake, faults);
    const workers = [w.writeBack({ provider, maxAttempts: 200 }), w.writeBack({ provider, maxAttempts: 200, pool: w.f.other })];
    const last = new Map<string, WriteBackResult>();
    let busy = 0;
    // Each worker delivers every booking, four at a time, until it settles (as pg-boss would, each job at least once).
    await Promise.all(
      workers.map(async (worker, n) => {
        const queue = n === 0 ? [...made] : [...made].reverse();
        const run = async () => {
          for (let b = queue.shift(); b; b = queue.shift()) {
            for (let round = 0; round < 500; round++) {
              const r = await worker.process(b.id);
              if (r.kind === 'busy') busy++;
              if (r.kind === 'settled' || r.kind === 'idle') {
                if (r.kind === 'settled') last.set(b.id, r);
                break;
              }
            }
          }
        };
        await Promise.all([run(), run(), run(), run()]);
      }),
    );
    for (const b of made) {
      const now = await bookings.get(b.id);
      expect(now.writeBack.status, b.id).toBe('written');
      const mine = appointmentsOf(pims, b);
      expect(mine, `${b.id} ${b.startTime}`).toHaveLength(1);
      expect(now.writeBack.pimsAppointmentId).toBe(mine[0].id);
    }
    expect(pims.appointments).toHaveLength(30);
    // One client per caller: her later bookings found her by phone (the client's lock kept two
    // bookings of a new caller from creating her twice).
    const owners = new Map<string, Set<string>>();
    for (const a of pims.appointments) {
      const key = a.client!.lastName!;
      owners.set(key, (owners.get(key) ?? new Set()).add(a.client!.id!));
    }
    expect([...owners.values()].map((s) => s.size)).toEqual(Array(10).fill(1));
    const outbox = await w.f.query<{ n: number }>(`select count(*)::int as n from public.write_back_outbox where clinic_id = $1 and processed_at is null`, [clinicId]);
    expect(outbox[0].n).toBe(0);
    expect(provider.overlaps()).toBe(0); // never one booking's create twice at once
    expect(busy).toBeGreaterThan(0); // though the two workers did meet on bookings
  });

  it('two deliveries of one booking at once: one writes, the other is busy (the lease), one appointment', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '12:00:00')));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow = w.writeBack({ provider: faultyProvider(w.fake, { gate: (m) => (m === 'createAppointment' ? gate : undefined) }) });
    const other = w.writeBack({ pool: w.f.other });
    const first = slow.process(b.id);
    await waitUntil(async () => (await w.f.query<{ n: number }>(`select write_back_attempts as n from public.bookings where id = $1`, [b.id]))[0].n === 1);
    expect(await other.process(b.id)).toEqual({ kind: 'busy' });
    open();
    expect(await first).toMatchObject({ kind: 'settled', status: 'written' });
    expect(await other.process(b.id)).toEqual({ kind: 'idle' });
    expect(appointmentsOf(pims, b)).toHaveLength(1);
  });
});

describe('the retry budget and the admin retry', () => {
  it('passing failures are retried, each recorded; past the budget the write-back is failed with the last error; retry() queues it again and it is written', async () => {
    const { clinicId, pims } = await w.addClinic();
    const failing = w.writeBack({ provider: faultyProvider(w.fake, { before: (m) => (m === 'findClients' ? pimsUnavailable('IDEXX Neo answered 502 three times') : undefined) }), maxAttempts: 3 });
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '12:30:00')));
    expect(await failing.process(b.id)).toMatchObject({ kind: 'retry', attempts: 1 });
    expect(await failing.process(b.id)).toMatchObject({ kind: 'retry', attempts: 2 });
    expect(await failing.process(b.id)).toMatchObject({ kind: 'settled', status: 'failed' });
    const failed = await bookings.get(b.id);
    expect(failed.writeBack).toEqual({ status: 'failed', pimsAppointmentId: null, error: 'pims_unavailable: IDEXX Neo answered 502 three times', attempts: 3 });
    expect(await failing.process(b.id)).toEqual({ kind: 'idle' }); // its rows are settled
    expect(appointmentsOf(pims, b)).toHaveLength(0);

    w.jobs.sent.splice(0);
    const retried = await writeBack.retry(b.id);
    expect(retried.writeBack).toEqual({ status: 'pending', pimsAppointmentId: null, error: null, attempts: 0 });
    expect(w.jobs.sent).toHaveLength(1);
    const rows = await w.f.query<{ action: string; outcome: string | null }>(`select action, outcome from public.write_back_outbox where booking_id = $1 order by created_at`, [b.id]);
    expect(rows).toEqual([
      { action: 'create', outcome: 'failed' },
      { action: 'create', outcome: null },
    ]);
    await w.drain(writeBack);
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', attempts: 1, error: null });
    expect(appointmentsOf(pims, b)).toHaveLength(1);

    // Only a failed one is retried.
    const again = await writeBack.retry(b.id).catch((e) => e);
    expect(isAppError(again) && again.code).toBe('write_back_not_failed');
    expect(again.status).toBe(409);
    const missing = await writeBack.retry('00000000-0000-4000-8000-000000000000').catch((e) => e);
    expect(missing.code).toBe('booking_not_found');
  });

  it('an error no retry mends (the PIMS refuses the log-in) fails at once', async () => {
    const { clinicId, pims } = await w.addClinic();
    pims.password = 'changed-at-the-clinic';
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '13:30:00')));
    const r = await writeBack.process(b.id);
    expect(r).toMatchObject({ kind: 'settled', status: 'failed' });
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await bookings.get(b.id)).writeBack.error).toMatch(/^pims_auth_failed: /);
    expect(pimsAuthFailed('x').retryable).toBe(false);
  });
});

describe('the sweep', () => {
  it('sends a new job for an open row whose job is gone or ended, not for one whose job waits or whose booking is being written', async () => {
    const { clinicId } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '14:30:00')));
    const [row] = await w.f.query<{ id: string; job_id: string }>(`select id, job_id from public.write_back_outbox where booking_id = $1`, [b.id]);
    w.jobs.sent.splice(0);
    const states = new Map<string, { state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed'; activeForSeconds: number | null }>();
    const jobs = async (ids: string[]) => new Map(ids.flatMap((id) => (states.has(id) ? [[id, states.get(id)!] as const] : [])));

    states.set(row.job_id, { state: 'created', activeForSeconds: null });
    expect(await writeBack.sweep({ staleSeconds: 0, jobs })).toBe(0);
    states.set(row.job_id, { state: 'active', activeForSeconds: 1 });
    expect(await writeBack.sweep({ staleSeconds: 30, jobs })).toBe(0); // sent less than 30 s ago: not looked at
    states.set(row.job_id, { state: 'active', activeForSeconds: 50 });
    const lease = await tryBookingLease(w.f.other, b.id); // a live worker writes it
    expect(await writeBack.sweep({ staleSeconds: 0, jobs })).toBe(0);
    await lease!.release();
    // The worker that took it died: a new job.
    expect(await writeBack.sweep({ staleSeconds: 0, jobs })).toBe(1);
    const [renewed] = await w.f.query<{ job_id: string }>(`select job_id from public.write_back_outbox where id = $1`, [row.id]);
    expect(renewed.job_id).not.toBe(row.job_id);
    expect(w.jobs.sent).toEqual([{ jobId: renewed.job_id, outboxId: row.id, bookingId: b.id, clinicId }]);
    // Gone from the queue altogether: again.
    expect(await writeBack.sweep({ staleSeconds: 0, jobs })).toBe(1);
    await w.drain(writeBack);
    expect((await bookings.get(b.id)).writeBack.status).toBe('written');
    expect(await writeBack.sweep({ staleSeconds: 0, jobs })).toBe(0); // processed rows are never sent again
  });
});

async function waitUntil(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
