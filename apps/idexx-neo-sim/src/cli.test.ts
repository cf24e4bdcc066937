import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NeoHttpClient } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'neo-sim-cli-'));
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
    env: { ...process.env, NEO_SIM_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      // The control API line is printed last.
      if (m && out.includes('Control API')) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout!.on('data', onData);
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

describe('CLI', () => {
  it('starts with --scenario FILE --port 0, serves that scenario, and stops on SIGTERM', async () => {
    const file = path.join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ clinics: [smallClinic({ name: 'CLI Clinic' })] }));
    const { child, url, output } = await startCli(['--scenario', file, '--port', '0', '--now', FIXED_NOW]);
    try {
      expect(output()).toContain('Clinic 8890 "CLI Clinic"');
      const client = new NeoHttpClient(url);
      expect((await client.login(CREDS)).status).toBe(302);
      const res = await client.getJson(
        '/appointments/getCalendarEventData?start=2026-11-20 00:00:00&end=2026-11-21 00:00:00',
      );
      const body = (await res.json()) as { events: { id: string }[] };
      expect(body.events.map((e) => e.id)).toEqual(['R-1', 'A-1001', 'A-1002', 'B-1']);
      expect((await fetch(`${url}/__sim/stats`)).status).toBe(200);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('reads NEO_SIM_SCENARIO and NEO_SIM_NOW; without a scenario it serves the demo clinic and prints its login', async () => {
    const file = path.join(dir, 'env-scenario.json');
    writeFileSync(
      file,
      JSON.stringify({
        clinics: [
          smallClinic({
            companyId: '4242',
            appointments: [{ id: 'T', day: 0, time: '09:00' }],
            consultations: [],
          }),
        ],
      }),
    );
    const first = await startCli([], { NEO_SIM_SCENARIO: file, NEO_SIM_NOW: FIXED_NOW });
    try {
      expect(first.output()).toContain('Clinic 4242');
      const client = new NeoHttpClient(first.url);
      await client.login({ ...CREDS, companyId: '4242' });
      const detail = (await (await client.getJson('/appointments/getAppointment?id=T')).json()) as {
        appointment: { startAtLocal: string };
      };
      expect(detail.appointment.startAtLocal).toBe('2026-11-20 09:00:00');
    } finally {
      await stop(first.child);
    }
    const demo = await startCli(['--port', '0'], { NEO_SIM_NOW: FIXED_NOW });
    try {
      expect(demo.output()).toMatch(
        /Demo login: .*company_id 8890 {2}username frontdesk {2}password Sim-Pass-2026!/,
      );
      const client = new NeoHttpClient(demo.url);
      expect((await client.login(CREDS)).status).toBe(302);
      expect(await (await client.get('/dashboard')).text()).toContain('Happy Paws Veterinary');
    } finally {
      await stop(demo.child);
    }
  });

  it('exits 1 with the reason for an invalid scenario file', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ clinics: [{ companyId: '1' }] }));
    await expect(startCli(['--scenario', file])).rejects.toThrow(
      /exited with 1: .*bad\.json: Invalid scenario: clinics\.0\.username/s,
    );
  });
});
