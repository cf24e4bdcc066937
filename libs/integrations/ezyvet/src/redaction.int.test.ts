// No ezyVet secret in an error or a log line, even when ezyVet's own words quote it: a local HTTP
// server (the simulator never echoes credentials) answers the token request, then errors whose text
// holds the bearer token and the client secret.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEzyvetProvider } from './index';
import { recordingLogger } from './testing/fixtures';

const SECRET = 'Client-Secret-Echoed-77';
const TOKEN = 'tok-Bearer-Echoed-4242';
let server: Server;
let base: string;
let status = 503;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/v1/oauth/access_token')) {
      res.end(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 43_200 }));
      return;
    }
    res.statusCode = status;
    const text = `Refused ${req.headers.authorization ?? ''} for client ${SECRET}`;
    res.end(JSON.stringify({ messages: [{ level: 'error', type: 'InvalidRequestException', text, fields: [] }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('keeps the bearer token and the client secret out of errors and log lines when ezyVet quotes them', async () => {
  const { logger, lines } = recordingLogger();
  const provider = createEzyvetProvider({ logger, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 }, rateLimit: { perEndpointPerMinute: 100_000, perClinicPerMinute: 100_000 } });
  const session = await provider.authenticate({ provider: 'ezyvet', baseUrl: base, partnerId: 'p', clientId: 'c', clientSecret: SECRET }, { timezone: 'UTC' });
  const messages: string[] = [];
  for (const s of [503, 400, 401, 403]) {
    status = s;
    const err: unknown = await session.getAppointments('2026-11-01', '2026-11-02').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    messages.push((err as Error).message);
  }
  // The errors still say what ezyVet said, without the credentials.
  expect(messages[0]).toMatch(/did not answer GET \/v2\/appointment after 2 attempts/);
  expect(messages[1]).toMatch(/Refused Bearer \[redacted\] for client \[redacted\]/);
  expect(lines.length).toBeGreaterThan(0);
  for (const text of [...messages, ...lines]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
  }
  await provider.close();
});
