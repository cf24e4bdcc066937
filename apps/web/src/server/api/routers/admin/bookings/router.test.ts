import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PimsSyncClient } from '@/server/pims-sync-client';
import { adminCaller, trpcError } from '@/testing/admin-caller';
import { FAKE_API_KEY, sampleBooking, startFakePimsSync, type FakePimsSync } from '@/testing/fake-pims-sync';

let fake: FakePimsSync;
let client: PimsSyncClient;

beforeAll(async () => {
  fake = await startFakePimsSync();
  client = new PimsSyncClient({ baseUrl: fake.url, apiKey: FAKE_API_KEY, timeoutMs: 2_000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe('admin.bookings', () => {
  it('list passes the filters and the cursor on, and answers the page', async () => {
    const b = sampleBooking();
    fake.on('GET', '/api/bookings', () => ({ status: 200, body: { items: [b], nextCursor: b.id } }));
    const clinicId = randomUUID();
    const page = await (await adminCaller(client)).admin.bookings.list({ clinicId, writeBackStatus: 'failed', limit: 20, cursor: 'c1' });
    expect(page).toEqual({ items: [b], nextCursor: b.id });
    expect(fake.requests.at(-1)?.query).toEqual({ clinicId, writeBackStatus: 'failed', limit: '20', cursor: 'c1' });
  });

  it('refuses filters outside the contract before asking pims-sync', async () => {
    const caller = await adminCaller(client);
    expect((await trpcError(caller.admin.bookings.list({ writeBackStatus: 'lost' as never }))).code).toBe('BAD_REQUEST');
    expect((await trpcError(caller.admin.bookings.list({ limit: 500 }))).code).toBe('BAD_REQUEST');
    expect(fake.requests).toHaveLength(0);
  });

  it("retryWriteBack posts the retry; a write-back that is not failed is CONFLICT with pims-sync's own message", async () => {
    const id = randomUUID();
    fake.on('POST', `/api/bookings/${id}/write-back`, () => ({ status: 202, body: { bookingId: id, writeBack: { status: 'pending' } } }));
    const caller = await adminCaller(client);
    expect(await caller.admin.bookings.retryWriteBack({ bookingId: id })).toEqual({ bookingId: id, writeBack: { status: 'pending' } });
    const other = randomUUID();
    fake.on('POST', `/api/bookings/${other}/write-back`, () => ({ status: 409, body: { error: { code: 'write_back_not_failed', message: 'The write-back of this booking is written, not failed' } } }));
    const err = await trpcError(caller.admin.bookings.retryWriteBack({ bookingId: other }));
    expect([err.code, err.message]).toEqual(['CONFLICT', 'The write-back of this booking is written, not failed']);
  });
});
