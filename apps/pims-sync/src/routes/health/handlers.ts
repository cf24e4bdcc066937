import type { RouteHandler } from '@hono/zod-openapi';
import type { HealthOutput } from '@pims/sync-contracts';
import type { z } from 'zod';
import type * as routes from './routes';

export interface HealthProbe {
  database(): Promise<boolean>;
  /** 'disabled' when this process runs no queue. */
  queue(): Promise<'ok' | 'error' | 'disabled'>;
}

const withTimeout = async <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> => {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch(() => fallback), new Promise<T>((r) => (t = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(t);
  }
};

/** GET /health (no key): 200 when the database and the queue answer, 503 naming the failing check. */
export function healthHandlers(probe: HealthProbe) {
  const health: RouteHandler<typeof routes.health> = async (c) => {
    const [db, queue] = await Promise.all([withTimeout(probe.database(), 3000, false), withTimeout(probe.queue(), 3000, 'error' as const)]);
    const body: z.infer<typeof HealthOutput> = {
      status: db && queue !== 'error' ? 'ok' : 'error',
      checks: { database: db ? 'ok' : 'error', queue },
    };
    return body.status === 'ok' ? c.json(body, 200) : c.json(body, 503);
  };
  return { health };
}
