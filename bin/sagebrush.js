#!/usr/bin/env node
// Runs the compiled CLI (dist/, `npm run build`) when it is current with src/; otherwise the TypeScript sources
// through tsx's loader, so `npx sagebrush` works from a fresh clone, after `git pull` and while editing, and never
// runs a stale build. tsx is loaded only then: it costs ~1 s of start-up (ADR 0006). From the build it runs the
// bundle when the build made one: dist/bundle/main.js runs main.cjs, one CommonJS file in place of ~800 modules,
// with V8's code cache (bin/bundle.js, ADR 0008).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildState } from './freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const state = buildState(root);
if (state === 'fresh') {
  await (existsSync(`${root}dist/bundle/main.js`) ? import('../dist/bundle/main.js') : import('../dist/cli/main.js'));
} else {
  if (state === 'stale') process.stderr.write('sagebrush: dist/ is older than src/, so this runs from the sources (slower start); `npm run build` refreshes it.\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
