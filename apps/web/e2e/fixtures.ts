import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, type Page } from '@playwright/test';
import type { StackState } from './stack';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.resolve(here, '..', 'test-results', 'screenshots');

export function readStack(): StackState {
  const file = process.env.E2E_STACK_STATE ?? path.resolve(here, '..', 'test-results', 'e2e-stack.json');
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

/** Saves a full-page screenshot of a state under test-results/screenshots/. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export const test = base.extend<{ stack: StackState }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as an object pattern.
  stack: async ({}, use) => {
    await use(readStack());
  },
  // eslint-disable-next-line no-empty-pattern -- as above
  baseURL: async ({}, use) => {
    await use(readStack().webUrl);
  },
});

export { expect } from '@playwright/test';
