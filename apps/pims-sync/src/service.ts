import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type PgBoss from 'pg-boss';
import { createPool, openDatabase, redactConnectionString, type DatabaseHandle } from '@pims/db';
import { createEzyvetProvider } from '@pims/ezyvet';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import type { PimsProvider } from '@pims/pims';
import { createHttpApp, createProviders, createServices, type PimsProviderFactory } from './composition';
import type { ServiceEnv } from './env';
import { createLogger, errFields, type ServiceLogger } from './logger';
import { PimsSyncMetrics } from './metrics';
import { removeLegacyDailyQueues, startBoss } from './queue/boss';
import { createMetricsApp } from './routes/metrics/standalone';

export interface ServiceHandle {
  /** The API's base URL, or null in the worker role. */
  url: string | null;
  /** The metrics-only listener's base URL (PIMS_SYNC_METRICS_PORT), or null. */
  metricsUrl: string | null;
  logger: ServiceLogger;
  /** Graceful stop: no new requests or jobs, running syncs finish or are re-queued, then everything closes. */
  stop(): Promise<void>;
}

/**
 * Starts pims-sync in its role: `api` (HTTP only), `worker` (queue consumers, recovery sweep and
 * the nightly dispatcher) or `all`. Any number of processes may share one database. The services
 * come from the composition root (composition.ts); this adds the database, the pool, pg-boss, the
 * browser, the HTTP server and the order things start and stop in.
 */
export async function startService(
  env: ServiceEnv,
  opts: {
    logger?: ServiceLogger;
    /** One provider made by the caller (it is not told of the metrics' request observer). */
    provider?: PimsProvider;
    /** The PIMS providers to build (default: IDEXX Neo); each gets the metrics' request observer. */
    providers?: PimsProviderFactory[];
  } = {},
): Promise<ServiceHandle> {
  const logger = opts.logger ?? createLogger({ level: env.logLevel, base: { role: env.role } });
  const isApi = env.role !== 'worker';
  const isWorker = env.role !== 'api';
  const q = env.queue;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err: errFields(err) }, 'error while stopping'));
  };
  try {
    const db: DatabaseHandle = await openDatabase({
      databaseUrl: env.databaseUrl,
      dataDir: env.dataDir,
      onLog: (line) => logger.debug({ component: 'postgres' }, line),
    });
    cleanups.push(() => db.stop());
    logger.info({ database: redactConnectionString(db.connectionString), embedded: db.embedded !== null, migrationsApplied: db.migrations.applied.length }, 'database ready');

    const pool = createPool(db.connectionString, {
      // A write-back holds its lease's connection for the whole write, and uses one more at times.
      max: 10 + (isWorker ? q.workerConcurrency * 4 + q.writeBackConcurrency * 2 : 0),
      applicationName: `pims-sync-${env.role}`,
      // A code path asking for a second connection while it holds one (tests make this an error).
      onNestedConnection: (err) => logger.error({ err: { ...errFields(err), stack: err.stack } }, 'nested pool connection'),
    });
    cleanups.push(() => pool.end());

    const boss: PgBoss = await startBoss(
      pool,
      db.connectionString,
      {
        jobExpireSeconds: q.jobExpireSeconds,
        maintenanceSeconds: q.maintenanceSeconds,
        retryLimit: 5,
        retryDelaySeconds: Math.max(1, Math.min(q.retryDelaySeconds, 60)),
      },
      logger.child({ component: 'queue' }),
    );
    cleanups.push(() => boss.stop({ graceful: true, timeout: 3000, wait: true }));
    // Once per start: what versions before the nightly dispatcher left (a failure only delays it).
    await removeLegacyDailyQueues(boss, pool, logger).catch((err) => logger.warn({ err: errFields(err) }, 'could not remove the old per-clinic daily queues; next start tries again'));

    // This process's registry (each process is scraped on its own); its request observer goes to
    // every provider.
    const metrics = new PimsSyncMetrics({ pool, logger: logger.child({ component: 'metrics' }), processMetrics: true });
    // Every role has the providers: the API logs in through them for test-connection (a browser is
    // launched on the first log-in), the workers sync through them.
    const neo: PimsProviderFactory = ({ observer, logger: log }) =>
      createIdexxNeoProvider({ chromiumPath: env.chromiumPath ?? null, logger: log.child({ component: 'idexx-neo' }), observer });
    const ezyvet: PimsProviderFactory = ({ observer, logger: log }) => createEzyvetProvider({ logger: log.child({ component: 'ezyvet' }), observer });
    const providers: PimsProvider[] = opts.provider ? [opts.provider] : createProviders(opts.providers ?? [neo, ezyvet], { metrics, logger });
    for (const provider of providers) cleanups.push(() => provider.close());
    if (isWorker) {
      // Launch the browser before taking jobs, so the first sync does not pay for it (a failure here
      // is only logged: the first sync tries again and records a clear error).
      for (const provider of providers) await provider.warmUp?.().catch((err) => logger.warn({ err: errFields(err), provider: provider.name }, 'browser warm-up failed'));
    }
    const services = createServices({ pool, boss, credentialsKey: env.credentialsKey, logger, settings: q, providers, workers: isWorker, metrics });

    const { workers, orchestrator, recovery, dispatcher, writeBackWorkers } = services;
    if (workers && orchestrator) {
      cleanups.push(() => orchestrator.close());
      cleanups.push(async () => {
        await dispatcher.stop();
        await recovery.stop();
      });
      recovery.start();
      dispatcher.start();
      await workers.start();
      await writeBackWorkers?.start();
    }

    const listen = async (fetch: (req: Request) => Response | Promise<Response>, port: number): Promise<string> => {
      const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
        const s = serve({ fetch, port, hostname: env.host }, () => resolve(s));
        s.once('error', reject);
      });
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            setTimeout(() => {
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
              resolve();
            }, 5000).unref();
          }),
      );
      return `http://${urlHost(env.host)}:${(server.address() as AddressInfo).port}`;
    };
    let url: string | null = null;
    if (isApi) {
      const app = createHttpApp(services, { apiKey: env.apiKey!, logger, vapiSecret: env.vapiSecret, metricsToken: env.metrics.token });
      url = await listen(app.fetch, env.port);
    }
    let metricsUrl: string | null = null;
    if (env.metrics.port !== undefined) {
      const app = createMetricsApp({ metrics, credentials: { token: env.metrics.token, apiKey: env.apiKey }, logger });
      metricsUrl = await listen(app.fetch, env.metrics.port);
    }

    logger.info({ url, metricsUrl, concurrency: isWorker ? q.workerConcurrency : 0 }, 'pims-sync started');
    let stopping: Promise<void> | null = null;
    return {
      url,
      metricsUrl,
      logger,
      stop() {
        if (stopping) return stopping;
        // The workers' shutdown starts synchronously (with no grace, running syncs are aborted
        // before any other signal handler of the process, e.g. the browser's, gets to run).
        const running = workers?.activeSyncIds ?? [];
        const workersStopped = Promise.all([
          workers ? workers.shutdown(q.shutdownGraceSeconds * 1000) : undefined,
          // A write-back stopped by the process's end is picked up again by another (its lease is free).
          writeBackWorkers?.shutdown(q.shutdownGraceSeconds * 1000),
        ]);
        stopping = (async () => {
          logger.info({ running }, 'pims-sync stopping');
          await workersStopped.catch((err) => logger.error({ err: errFields(err) }, 'error while stopping the workers'));
          await cleanup();
          logger.info('pims-sync stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The host part of the service's URL: a wildcard address is reached on loopback; IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
