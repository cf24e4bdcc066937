import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from './tools/eslint/module-boundaries.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/.data/**', '**/.nx/**', '**/next-env.d.ts', '**/test-results/**', '**/playwright-report/**', 'tools/eslint/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { local: boundaries },
    rules: {
      // Browser files of an app: everything under these folders, besides every file that starts with 'use client'.
      'local/enforce-module-boundaries': ['error', { root, browserDirs: ['apps/web/src/components'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: "Read the environment only in an app's env.ts (or tests and tools)." },
      ],
    },
  },
  {
    // env.ts, tests, tools and set-up scripts may read process.env.
    files: ['**/env.ts', '**/*.test.ts', '**/*.test.tsx', '**/testing/**', '**/e2e/**', 'tools/**', '**/scripts/**', '**/*.config.*'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
