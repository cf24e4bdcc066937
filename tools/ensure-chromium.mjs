#!/usr/bin/env node
// Makes sure a Chromium is there for the PIMS client and the browser tests (CONTRACT section 1):
// CHROMIUM_PATH, else Playwright's own Chromium, else /usr/bin/chromium; when none is there it tries
// `playwright install chromium`, and where that download is impossible it stops at once with the
// command that installs one.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function playwrightOwn() {
  try {
    const { chromium } = require('playwright');
    const p = chromium.executablePath();
    return p && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

export function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    if (existsSync(process.env.CHROMIUM_PATH)) return { path: process.env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
    console.error(`CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, which does not exist.`);
    process.exit(1);
  }
  const own = playwrightOwn();
  if (own) return { path: own, source: "Playwright's own Chromium" };
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: '/usr/bin/chromium' };
  return null;
}

const found = findChromium();
if (found) {
  if (process.env.PIMS_VERBOSE) console.log(`Chromium: ${found.path} (${found.source})`);
  process.exit(0);
}
console.log('No Chromium found (CHROMIUM_PATH, Playwright\'s own, /usr/bin/chromium). Trying: npx playwright install chromium');
const r = spawnSync(process.execPath, [require.resolve('playwright/cli'), 'install', 'chromium'], {
  stdio: 'inherit',
  timeout: 300_000,
});
if (r.status === 0 && findChromium()) process.exit(0);
console.error(
  [
    '',
    'Could not install a Chromium: this machine cannot download Playwright\'s browser.',
    'Install one and run again:',
    '    apt-get update && apt-get install -y chromium      # Debian/Ubuntu, gives /usr/bin/chromium',
    'or point CHROMIUM_PATH at an existing Chromium or Chrome binary.',
  ].join('\n'),
);
process.exit(1);
