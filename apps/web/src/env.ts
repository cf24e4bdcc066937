import 'server-only';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The web app's environment, parsed once with zod. This is the only module that reads
 * `process.env` (eslint `no-restricted-properties` enforces it). Parsing is lazy so that
 * `next build` does not need the runtime secrets.
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Base URL of the pims-sync service (server-side only). */
  PIMS_SYNC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3100'),
  /** The pims-sync API key (server-side only: never sent to the browser). */
  PIMS_SYNC_API_KEY: optionalString,
  /**
   * HS256 secret of the session JWTs. A Supabase deployment sets its project's JWT secret here so
   * its own access tokens are accepted. Without it a random per-process secret is used.
   */
  AUTH_JWT_SECRET: optionalString.pipe(z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters').optional()),
  /** Optional `iss` to put in and require of session tokens (e.g. https://<ref>.supabase.co/auth/v1). */
  AUTH_JWT_ISSUER: optionalString,
  /** Session lifetime in seconds (default 8 hours). */
  AUTH_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  /** Mark the session cookie Secure: "auto" (when the request came over https), "true" or "false". */
  AUTH_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** The seeded admin login. */
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()).transform((v) => (v ?? 'admin@example.com').toLowerCase()),
  ADMIN_PASSWORD: optionalString,
  /**
   * How many reverse proxies in front of the app to believe: "false" (default, 0: the app is reached
   * directly and every X-Forwarded-* header is the client's own claim), "true" (one proxy) or a
   * number of hops. When set, the client address is the right-most X-Forwarded-For entry not added
   * by those proxies, and the app's own origin comes from X-Forwarded-Proto / X-Forwarded-Host.
   * Set it only when the app cannot be reached except through that many proxies.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase();
      if (s === '' || s === 'false' || s === '0') return 0;
      if (s === 'true') return 1;
      if (/^[1-9]$/.test(s)) return Number(s);
      ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY must be "false", "true" or a number of proxies from 1 to 9' });
      return z.NEVER;
    }),
});

export type Env = Omit<z.infer<typeof EnvSchema>, 'AUTH_JWT_SECRET'> & { AUTH_JWT_SECRET: string; authJwtSecretGenerated: boolean };

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment for @pims/web:\n${lines}`);
  }
  const data = parsed.data;
  const generated = !data.AUTH_JWT_SECRET;
  if (generated) {
    console.warn('[web] AUTH_JWT_SECRET is not set: using a random secret for this process (sessions end when it restarts).');
  }
  cached = { ...data, AUTH_JWT_SECRET: data.AUTH_JWT_SECRET ?? randomBytes(48).toString('base64url'), authJwtSecretGenerated: generated };
  return cached;
}

/** Tests only: forget the parsed environment so that the next `env()` reads it again. */
export function resetEnvForTests(): void {
  cached = undefined;
}
