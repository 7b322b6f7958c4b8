/**
 * Three projects, run one group after another (sequence.groupOrder):
 *  - unit: colocated `*.test.ts` under src/ (and pure web helpers under web/src/) and the hostile-input suite;
 *  - e2e:  browser tests under test/e2e/ (headless Chromium against the real server in-process),
 *          longer timeouts; its globalSetup builds web/dist when it is missing or stale;
 *  - processes: tests that start the product as processes (PROCESS_TESTS), one file at a time.
 * CI runs `npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json`;
 * reporters and outputFile are deliberately not set here so those flags apply as given.
 */
import { defineConfig } from 'vitest/config';

/** Tests that run the product as real processes (serve, kill -9 and restart, the README's CLI tour, the compiled build). */
const PROCESS_TESTS = ['src/jobs/thread/serve.test.ts', 'test/recovery/**/*.test.ts', 'src/cli/readmeTour.test.ts', 'src/cli/build.test.ts'];

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
          include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'test/hostile/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'web/dist/**', ...PROCESS_TESTS],
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
          // One browser at a time on 2 cores, after the unit project (a browser beside two busy forks times out).
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'processes',
          environment: 'node',
          include: PROCESS_TESTS,
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // Last and one at a time: these start real servers and CLIs as processes, and one of them asserts that
          // /healthz answers within 200 ms during a training — it measures the server, not a saturated machine.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
