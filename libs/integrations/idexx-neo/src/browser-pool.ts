import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { AppError } from '@pims/util';
import type { SafeLogger } from './logger';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export interface ChromiumCandidate {
  path: string;
  source: 'chromiumPath option' | "Playwright's own Chromium" | 'system Chromium';
}

function playwrightOwnPath(): string | null {
  try {
    return chromium.executablePath() || null;
  } catch {
    return null;
  }
}

/** Where to look for a Chromium, in order: the option, Playwright's own, /usr/bin/chromium. */
export function chromiumCandidates(chromiumPath?: string | null, playwrightPath: string | null = playwrightOwnPath()): ChromiumCandidate[] {
  const list: ChromiumCandidate[] = [];
  if (chromiumPath) list.push({ path: chromiumPath, source: 'chromiumPath option' });
  if (playwrightPath) list.push({ path: playwrightPath, source: "Playwright's own Chromium" });
  list.push({ path: SYSTEM_CHROMIUM, source: 'system Chromium' });
  return list.filter((c, i) => list.findIndex((o) => o.path === c.path) === i);
}

export function browserUnavailableError(tried: readonly { path: string; source: string; problem: string }[]): AppError {
  const lines = tried.map((t) => `${t.path} (${t.source}): ${t.problem}`).join('; ');
  return new AppError(
    'pims_browser_unavailable',
    `No usable Chromium for the IDEXX Neo client. Tried: ${lines}. Install one with \`apt-get install -y chromium\` ` +
      '(Debian/Ubuntu, gives /usr/bin/chromium) or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    { status: 503, retryable: false, details: { tried } },
  );
}

export interface LaunchOptions {
  chromiumPath?: string | null;
  launchTimeoutMs?: number;
  logger: SafeLogger;
  /** For tests: replaces the file check and the launch. */
  exists?: (path: string) => boolean;
  launch?: (executablePath: string) => Promise<Browser>;
}

/** Launches the first Chromium that works, headless; pims_browser_unavailable when none does. */
export async function launchChromium(opts: LaunchOptions): Promise<{ browser: Browser; path: string }> {
  const exists = opts.exists ?? existsSync;
  const launch =
    opts.launch ??
    ((executablePath: string) =>
      chromium.launch({
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: opts.launchTimeoutMs ?? 30_000,
        // The process that owns the browser decides how to shut down (pims-sync stops its syncs at a
        // safe point first); Playwright must not close the browser or exit on a signal by itself.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      }));
  const tried: { path: string; source: string; problem: string }[] = [];
  for (const c of chromiumCandidates(opts.chromiumPath)) {
    if (!exists(c.path)) {
      tried.push({ ...c, problem: 'not found' });
      continue;
    }
    try {
      const browser = await launch(c.path);
      opts.logger.info({ chromium: c.path, source: c.source, version: browser.version() }, 'Chromium started');
      return { browser, path: c.path };
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
      tried.push({ ...c, problem: `failed to start (${first})` });
      opts.logger.warn({ chromium: c.path, source: c.source }, `Chromium failed to start: ${first}`);
    }
  }
  throw browserUnavailableError(tried);
}

interface PooledBrowser {
  browser: Browser;
  contexts: number;
}

/**
 * A small pool of shared Chromium processes (default one per process). Each clinic session gets its
 * own BrowserContext on the least-loaded browser; a browser is launched lazily, and one that crashed
 * is dropped and replaced on the next request.
 */
export class BrowserPool {
  private browsers: PooledBrowser[] = [];
  private launching: Promise<PooledBrowser> | null = null;
  private closed = false;
  private loginLane: { context: BrowserContext; page: Page } | null = null;
  private loginQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly opts: LaunchOptions & { maxBrowsers: number },
  ) {}

  get size(): number {
    return this.browsers.length;
  }

  async newContext(): Promise<BrowserContext> {
    if (this.closed) throw new AppError('pims_provider_closed', 'The IDEXX Neo provider has been closed', { status: 503, retryable: false });
    const pooled = await this.pick();
    const context = await pooled.browser.newContext({ ignoreHTTPSErrors: false, acceptDownloads: false, serviceWorkers: 'block' });
    pooled.contexts += 1;
    context.on('close', () => {
      pooled.contexts = Math.max(0, pooled.contexts - 1);
    });
    return context;
  }

  /**
   * Runs a log-in on the pool's one long-lived log-in page, one log-in at a time, with an empty
   * cookie jar before and after. The caller hands the cookies it got to its own context, which needs
   * no page: a clinic session then costs no renderer process of its own (about a CPU-second each).
   */
  async withLoginPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const run = this.loginQueue.then(async () => {
      const lane = await this.ensureLoginLane();
      await lane.context.clearCookies();
      try {
        return await fn(lane.page);
      } finally {
        await lane.context.clearCookies().catch(() => undefined);
        // Leave the page on a blank document, so nothing of a clinic stays on screen.
        await lane.page.goto('about:blank').catch(() => undefined);
      }
    });
    this.loginQueue = run.catch(() => undefined);
    return run;
  }

  private async ensureLoginLane(): Promise<{ context: BrowserContext; page: Page }> {
    if (this.closed) throw new AppError('pims_provider_closed', 'The IDEXX Neo provider has been closed', { status: 503, retryable: false });
    let lane = this.loginLane;
    if (!lane || lane.page.isClosed() || !lane.context.browser()?.isConnected()) {
      if (lane) await lane.context.close().catch(() => undefined);
      const context = await this.newContext();
      lane = { context, page: await context.newPage() };
      this.loginLane = lane;
    }
    return lane;
  }

  /** Launches the browser and opens the log-in page now, so that the first session does not wait for them. */
  async warmUp(): Promise<void> {
    if (this.closed) return;
    const run = this.loginQueue.then(() => this.ensureLoginLane());
    this.loginQueue = run.catch(() => undefined);
    await run;
  }

  private async pick(): Promise<PooledBrowser> {
    this.browsers = this.browsers.filter((b) => b.browser.isConnected());
    const least = [...this.browsers].sort((a, b) => a.contexts - b.contexts)[0];
    if (least && (least.contexts === 0 || this.browsers.length >= this.opts.maxBrowsers)) return least;
    if (!this.launching) {
      this.launching = (async () => {
        try {
          const { browser } = await launchChromium(this.opts);
          const pooled: PooledBrowser = { browser, contexts: 0 };
          browser.on('disconnected', () => {
            this.browsers = this.browsers.filter((b) => b !== pooled);
            if (!this.closed) this.opts.logger.warn({}, 'Chromium disconnected; a new one starts on the next session');
          });
          if (this.closed) {
            await browser.close().catch(() => undefined);
            throw new AppError('pims_provider_closed', 'The IDEXX Neo provider has been closed', { status: 503, retryable: false });
          }
          this.browsers.push(pooled);
          return pooled;
        } finally {
          this.launching = null;
        }
      })();
    }
    return this.launching;
  }

  async close(): Promise<void> {
    this.closed = true;
    const lane = this.loginLane;
    this.loginLane = null;
    if (lane) await lane.context.close().catch(() => undefined);
    const all = this.browsers;
    this.browsers = [];
    if (this.launching) await this.launching.catch(() => undefined);
    await Promise.all(all.map((b) => b.browser.close().catch(() => undefined)));
  }
}
