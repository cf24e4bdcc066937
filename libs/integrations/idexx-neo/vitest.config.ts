import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser tests start their own Chromium and simulator; two files at a time is plenty on small machines.
    maxWorkers: 2,
  },
});
