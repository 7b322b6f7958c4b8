// Runs the CLI bundle (dist/bundle/main.cjs: one CommonJS file, scripts/bundle-server.mjs) with V8's code cache
// (ADR 0008). Node 20 has no module compile cache, and compiling the bundle's ~5.8 MB took ~0.1 s of every run; V8
// accepts a cache it wrote for the same source, so the bundle is compiled with `vm.Script` and `cachedData`, and the
// cache — the bundle's bytecode, including every function compiled while a command ran — is written beside it.
//
// The cache is trusted only for the exact bundle file it was made from: its header names this Node version and
// architecture, the bundle's size and modification time, and a CRC-32 of the data (V8 checks its own version and
// flags, but only the source's length, and checks no checksum in release builds). Anything else — no cache, another
// build's, a truncated or damaged one, one V8 rejects — means compiling from the source as before, and writing a new
// cache. Writes go to a temporary name and are renamed over the old file, so a reader never sees half a cache; a
// directory that cannot be written (an installed, read-only copy) just means running without one.
//
// When: V8 drops the bytecode of functions that stopped running ("bytecode flushing"), so a cache taken at exit after a
// long command lacks the start-up code it is for. The CLI calls the checkpoint (globalThis[CHECKPOINT]) when a
// command is about to start its main job (src/cli/codeCache.ts) — everything the start-up, the app and the imports
// compiled is still there. It writes when no cache was accepted or the accepted one was taken at exit (by the build's
// `--help`, say), so the first `text train` replaces that one, and later runs only read. A command that never
// reaches a checkpoint (`--help`, an argument error) writes at exit, and only when no cache was accepted. The build
// writes the first cache with a `text train` of the bundled sample that stops at the checkpoint.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** The function the CLI calls at its checkpoint (src/cli/codeCache.ts), when a bundle runs. */
export const CHECKPOINT = Symbol.for('sagebrush.codeCacheCheckpoint');
/** The bundle's `__sbImport` (see runBundle). */
const IMPORT = Symbol.for('sagebrush.bundleImport');
const FORMAT = 'sagebrush-code-cache/1';
const HEADER_MAX = 512;

/** The cache's validity key: this Node, this bundle file. */
function cacheKey(file) {
  const { size, mtimeMs } = statSync(file);
  return `${FORMAT} ${process.version} ${process.arch} ${size} ${mtimeMs}`;
}

/** `{ data, phase }` from the cache file when it was written for `key` and is intact; null if not; undefined if none. */
export function readCache(cacheFile, key) {
  let buf;
  try {
    buf = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const end = buf.subarray(0, HEADER_MAX).indexOf(10); // '\n'
  if (end < 0) return null;
  const m = /^(.*) (exit|checkpoint) (\d+)$/.exec(buf.subarray(0, end).toString('latin1'));
  if (!m || m[1] !== key) return null;
  const data = buf.subarray(end + 1);
  if (data.length === 0 || crc32(data) !== Number(m[3])) return null;
  return { data, phase: m[2] };
}

function writeCache(cacheFile, key, data, phase) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${key} ${phase} ${crc32(data)}\n`, 'latin1'), data]));
    renameSync(tmp, cacheFile);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/**
 * Compiles and runs the bundle at `bundleUrl` as CommonJS. `importModule` performs the bundle's dynamic imports of
 * ES-module packages (`__sbImport`, see bundle-server.mjs): a vm.Script's own import() would need
 * --experimental-vm-modules.
 */
export function runBundle(bundleUrl, importModule) {
  globalThis[IMPORT] = importModule;
  const file = fileURLToPath(bundleUrl);
  // Node maps stack traces (--enable-source-maps) only for code its own loaders compiled, not for a vm.Script: then
  // the bundle is required as a plain CommonJS module, without the cache.
  if (process.sourceMapsEnabled) {
    if (process.env.SAGEBRUSH_DEBUG_CODE_CACHE) process.once('exit', () => process.stderr.write('code cache: off (source maps)\n'));
    return createRequire(import.meta.url)(file);
  }
  const cacheFile = `${file}.cache`;
  // The build makes the bundle pure ASCII, so latin1 reads it exactly, without a UTF-8 decode (~25 ms for 5.8 MB).
  const source = readFileSync(file, 'latin1');
  const key = cacheKey(file);
  const cached = readCache(cacheFile, key);
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, cachedData: cached?.data });
  const accepted = Boolean(cached) && !script.cachedDataRejected;
  let phase = accepted ? cached.phase : ''; // of the cache in use: 'exit', 'checkpoint', or '' (none yet)
  const found = accepted ? `accepted (taken at ${cached.phase})` : cached ? 'rejected by V8' : cached === null ? 'stale or damaged' : 'none';
  let outcome = '';
  const save = (at) => {
    const ok = writeCache(cacheFile, key, script.createCachedData(), at);
    phase = ok ? at : 'checkpoint'; // not writable: not tried again in this run
    outcome = ok ? `written at ${at}` : 'not writable';
  };
  globalThis[CHECKPOINT] = () => {
    if (phase !== 'checkpoint') save('checkpoint');
    // The build's warm-up run (build-server.mjs) came for this cache: it stops here, before the job.
    if (process.env.SAGEBRUSH_CODE_CACHE_WARMUP === '1') process.exit(0);
  };
  process.once('exit', () => {
    if (phase === '') save('exit');
    if (process.env.SAGEBRUSH_DEBUG_CODE_CACHE) process.stderr.write(`code cache: ${found}${outcome ? `, ${outcome}` : ''}\n`);
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
