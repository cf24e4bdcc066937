import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HARBOUR_VETS } from './demo';
import { EzyClient, getJson } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'ezyvet-sim-cli-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `tsx src/main.ts` and resolves with its URL once it prints it (or rejects with its output when it exits). */
function startCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: appDir,
    env: { ...process.env, EZYVET_SIM_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Control API')) resolve({ child, url: m[1], output: () => out });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`no URL printed in 20 s: ${out}`)), 20_000).unref();
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function exitOf(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('CLI (npm run --workspace @pims/ezyvet-sim sim)', () => {
  it('starts with --scenario FILE --port 0 --rate-limit 0, serves that scenario, and stops on SIGTERM', async () => {
    const file = path.join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ clinics: [smallClinic({ name: 'CLI Clinic' })] }));
    const { child, url, output } = await startCli([
      '--scenario',
      file,
      '--port',
      '0',
      '--now',
      FIXED_NOW,
      '--rate-limit',
      '0',
    ]);
    try {
      expect(output()).toContain('Clinic client_id 8890 "CLI Clinic"');
      const client = new EzyClient(url, EZY_CREDS);
      const r = await client.get('/v2/appointment', { id: 'A-1001' });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-remaining')).toBeNull();
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('reads EZYVET_SIM_SCENARIO and EZYVET_SIM_NOW; without a scenario it serves Harbour Vets and prints its credentials', async () => {
    const file = path.join(dir, 'env-scenario.json');
    writeFileSync(file, JSON.stringify({ clinics: [smallClinic({ companyId: 'env-clinic' })] }));
    const a = await startCli([], { EZYVET_SIM_SCENARIO: file, EZYVET_SIM_NOW: '2026-11-21T12:00:00Z' });
    try {
      expect((await getJson(a.url, '/__sim/clock')).body).toEqual({
        now: '2026-11-21T12:00:00.000Z',
        fixed: true,
      });
      expect(
        ((await getJson(a.url, '/__sim/clinics')).body.clinics as { companyId: string }[]).map(
          (c) => c.companyId,
        ),
      ).toEqual(['env-clinic']);
    } finally {
      await stop(a.child);
    }
    const demo = await startCli([]);
    try {
      expect(demo.output()).toContain(`client_id ${HARBOUR_VETS.companyId}`);
      expect(demo.output()).toContain(`client_secret ${HARBOUR_VETS.password}`);
      const client = new EzyClient(demo.url, {
        partner_id: HARBOUR_VETS.partnerId,
        client_id: HARBOUR_VETS.companyId,
        client_secret: HARBOUR_VETS.password,
      });
      const r = await client.get('/v2/appointment', { limit: 1 });
      expect(r.status).toBe(200);
      expect((r.body.meta as { items_total: number }).items_total).toBeGreaterThan(200);
    } finally {
      await stop(demo.child);
    }
  });

  it('exits 1 with the reason for an invalid scenario file or option', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ clinics: [{ companyId: 'x' }] }));
    const bad = await exitOf(['--scenario', file]);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('Invalid scenario');
    const opt = await exitOf(['--rate-limit', 'lots']);
    expect(opt.code).toBe(1);
    expect(opt.output).toContain('--rate-limit');
  });
});
