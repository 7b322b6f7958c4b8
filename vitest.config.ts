/**
 * Two projects:
 *  - unit: colocated `*.test.ts` under src/ (and pure web helpers under web/src/), node environment;
 *  - e2e:  browser tests under test/e2e/ (headless Chromium against the real server in-process),
 *          longer timeouts; its globalSetup builds web/dist when it is missing or stale.
 * CI runs `npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json`;
 * reporters and outputFile are deliberately not set here so those flags apply as given.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `vitest` without `run` runs once too: the e2e suite starts servers and browsers, not for watch mode.
    watch: false,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'test/hostile/**/*.test.ts', 'test/recovery/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'web/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['test/e2e/global-setup.ts'],
          // One browser at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
