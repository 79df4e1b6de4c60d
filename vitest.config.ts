import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    // Chromium for the browser suites: found, installed, or the suites skipped with the reason.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: files in parallel, but not more than the machine has.
    maxWorkers: 2,
    pool: 'forks',
  },
});
