// `npm run build:server`: compiles src/ to dist/ with tsc (tsconfig.build.json), copies the non-TypeScript files the
// code reads beside itself (the job thread's bootstrap, the CQL library), bundles the CLI into dist/bundle/
// (bundle-server.mjs: what bin/sagebrush.js runs, for a faster start; ADR 0008) and writes the stamp bin/sagebrush.js
// checks before it runs dist/. The stamp is removed first and written last, so a failed or half-done build is
// never taken for a current one.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_NAME, inputFiles, sourceState } from '../bin/freshness.js';
import { bundleCli } from './bundle-server.mjs';

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

// The non-TypeScript inputs (.mjs, .json, .cql) go beside the compiled modules that read them.
const assets = inputFiles(src).filter((path) => !path.endsWith('.ts'));
for (const path of assets) {
  const to = join(dist, relative(src, path));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(path, to);
}
const copied = assets.length;

// The bundle only speeds start-up: without it bin/sagebrush.js runs dist/cli/main.js, so a failure here is a warning.
// Running `--help` from it checks that it loads. Then a `text train` of the bundled sample, stopped at the CLI's
// checkpoint before the job (SAGEBRUSH_CODE_CACHE_WARMUP), writes the first code cache with the start-up, app and
// import code one-shot commands run (bin/bundle.js; ADR 0008); without the sample (a copy that ships only the build)
// the cache `--help` wrote at exit stays, and the first command to reach the checkpoint replaces it.
const bundleDir = join(dist, 'bundle');
const runBundle = (args, env = process.env) => spawnSync(process.execPath, [join(bundleDir, 'main.js'), ...args], { encoding: 'utf8', env });
const bundled = await bundleCli({ srcDir: src, distDir: dist, outDir: bundleDir }).then(() => {
  const help = runBundle(['--help']);
  if (help.status !== 0) throw new Error(`the bundle does not run \`--help\`: ${help.stderr.trim().split('\n').slice(0, 5).join(' / ')}`);
  return true;
}).catch((err) => {
  rmSync(bundleDir, { recursive: true, force: true });
  console.error(`build:server: bundling the CLI failed, so it runs from dist/cli/main.js (slower start): ${err.message}`);
  return false;
});
const sample = join(root, 'examples/text/jigsaw-toxic-1k.csv');
if (bundled && existsSync(sample)) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-warmup-'));
  // Not the caller's SAGEBRUSH_* settings (a server URL, a database): only the throw-away data directory.
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_'))), SAGEBRUSH_CODE_CACHE_WARMUP: '1' };
  const warm = runBundle(['--data-dir', dataDir, '--json', 'text', 'train', sample, '--mode', 'multi-label'], env);
  rmSync(dataDir, { recursive: true, force: true });
  if (warm.status !== 0) console.error(`build:server: the code-cache warm-up failed (the first command writes the cache instead): ${warm.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
}

writeFileSync(stamp, `${JSON.stringify({ ...state, builtAt: new Date().toISOString() })}\n`);
console.log(`build:server: compiled ${state.files - copied} modules, copied ${copied} files${bundled ? ' and bundled the CLI (dist/bundle/main.cjs)' : ''} in dist/`);
