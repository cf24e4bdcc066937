import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { chromiumCandidates, launchChromium } from './browser-pool';
import { redactingLogger } from './logger';

const logger = redactingLogger(undefined, () => []);

describe('chromiumCandidates', () => {
  it('orders the option, Playwright, the system Chromium, without duplicates', () => {
    expect(chromiumCandidates('/opt/chrome', '/pw/chrome').map((c) => c.path)).toEqual(['/opt/chrome', '/pw/chrome', '/usr/bin/chromium']);
    expect(chromiumCandidates(undefined, null).map((c) => c.path)).toEqual(['/usr/bin/chromium']);
    expect(chromiumCandidates('/usr/bin/chromium', null)).toHaveLength(1);
  });
});

describe('launchChromium', () => {
  it('throws pims_browser_unavailable naming every path tried and how to install one', async () => {
    const err = await launchChromium({ chromiumPath: '/nope/chrome', logger, exists: () => false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'pims_browser_unavailable', retryable: false });
    const message = (err as Error).message;
    expect(message).toContain('/nope/chrome');
    expect(message).toContain('/usr/bin/chromium');
    expect(message).toContain('apt-get install -y chromium');
  });

  it('falls through to the next candidate when one fails to start', async () => {
    const tried: string[] = [];
    const fake = { version: () => '1.0' } as unknown as Browser;
    const r = await launchChromium({
      chromiumPath: '/broken/chrome',
      logger,
      exists: () => true,
      launch: async (p) => {
        tried.push(p);
        if (p === '/broken/chrome') throw new Error('spawn failed\nlong log');
        return fake;
      },
    });
    expect(tried[0]).toBe('/broken/chrome');
    expect(r.browser).toBe(fake);
    expect(r.path).not.toBe('/broken/chrome');
  });
});
