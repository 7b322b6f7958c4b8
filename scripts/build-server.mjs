// `npm run build:server`: compiles src/ to dist/ with tsc (tsconfig.build.json), copies the non-TypeScript files the
// code reads beside itself (the job thread's bootstrap, the CQL library), and writes the stamp bin/sagebrush.js
// checks before it runs dist/. The stamp is removed first and written last, so a failed or half-done build is
// never taken for a current one.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_NAME, sourceState } from '../bin/freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const stamp = join(dist, STAMP_NAME);

rmSync(stamp, { force: true });
// Taken before compiling: a source saved during the build is newer than the stamp, so the build counts as stale.
const state = sourceState(src);

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build:server: tsc failed; bin/sagebrush.js keeps running the sources until a build succeeds.');
  process.exit(1);
}

let copied = 0;
const copyAssets = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== '__reference__') copyAssets(path);
    } else if (/\.(?:mjs|json|cql)$/.test(e.name)) {
      const to = join(dist, relative(src, path));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(path, to);
      copied += 1;
    }
  }
};
copyAssets(src);

writeFileSync(stamp, `${JSON.stringify({ ...state, builtAt: new Date().toISOString() })}\n`);
console.log(`build:server: compiled ${state.files - copied} modules and copied ${copied} files to dist/`);
