import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['../../libs/shared/db/src/testing/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The end-to-end files drive Chromium and child processes on 2 cores: one file at a time.
    fileParallelism: false,
  },
});
