/**
 * bin/bundle.js, the loader that runs the CLI bundle with V8's code cache (ADR 0008), on a small stand-in bundle in a
 * temporary folder, run as processes: a cache is written at exit or at the CLI's checkpoint and used by the next run;
 * a damaged, stale (same length, new code) or V8-rejected cache is never used but replaced, and the bundle still runs
 * its own, current code; a cache that cannot be written costs nothing but the cache. The real bundle is covered by
 * build.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LOADER = resolve(import.meta.dirname, '../../bin/bundle.js');
const CHECKPOINT_CALL = readFileSync(resolve(import.meta.dirname, 'codeCache.ts'), 'utf8').includes("Symbol.for('sagebrush.codeCacheCheckpoint')");

/** A stand-in bundle: CommonJS, uses require, __filename and __sbImport; calls the CLI's checkpoint when told to. */
function bundleSource(word: string): string {
  return [
    "const { basename } = require('node:path'), __sbImport = globalThis[Symbol.for('sagebrush.bundleImport')];",
    'async function main() {',
    "  const { sep } = await __sbImport('node:path');",
    "  if (process.env.CHECKPOINT) globalThis[Symbol.for('sagebrush.codeCacheCheckpoint')]();",
    `  console.log(${JSON.stringify(word)}, basename(__filename), sep);`,
    '}',
    'main();',
    '',
  ].join('\n');
}

describe('bin/bundle.js (the CLI bundle with a code cache)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-codecache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'main.cjs');
  const cache = `${bundle}.cache`;
  writeFileSync(join(dir, 'main.mjs'), `import { runBundle } from ${JSON.stringify(LOADER)};\nrunBundle(new URL('./main.cjs', import.meta.url), (s) => import(s));\n`);
  const env = { ...process.env, SAGEBRUSH_DEBUG_CODE_CACHE: '1', NODE_OPTIONS: '' };

  async function start(checkpoint = false): Promise<{ out: string; cache: string }> {
    const r = await run(process.execPath, [join(dir, 'main.mjs')], { env: { ...env, CHECKPOINT: checkpoint ? '1' : '' } });
    return { out: r.stdout.trim(), cache: /code cache: (.*)/.exec(r.stderr)?.[1] ?? r.stderr };
  }
  /** Rewrites the bundle; `age` moves its mtime (an edit in the same second as the last one still changes it). */
  function writeBundle(text: string, age = 0): void {
    writeFileSync(bundle, text);
    const t = Date.now() / 1000 + age;
    utimesSync(bundle, t, t);
  }

  it('writes a cache at exit on the first run and uses it on the next', async () => {
    writeBundle(bundleSource('first'));
    expect(await start()).toEqual({ out: 'first main.cjs /', cache: 'none, written at exit' });
    expect(readFileSync(cache, 'latin1')).toMatch(/^sagebrush-code-cache\/1 v\d+\.\d+\.\d+ \S+ \d+ [\d.]+ exit \d+\n/);
    expect(await start()).toEqual({ out: 'first main.cjs /', cache: 'accepted (taken at exit)' });
  });

  it('a checkpoint replaces a cache taken at exit, once', async () => {
    expect(CHECKPOINT_CALL).toBe(true); // the symbol src/cli/codeCache.ts calls is the one used here
    expect(await start(true)).toEqual({ out: 'first main.cjs /', cache: 'accepted (taken at exit), written at checkpoint' });
    expect(await start(true)).toEqual({ out: 'first main.cjs /', cache: 'accepted (taken at checkpoint)' });
    expect(await start()).toEqual({ out: 'first main.cjs /', cache: 'accepted (taken at checkpoint)' });
  });

  it('a new bundle of the same length never runs with the old cache', async () => {
    writeBundle(bundleSource('older'), 4);
    await start();
    expect((await start()).cache).toBe('accepted (taken at exit)');
    writeBundle(bundleSource('newer'), 6); // same length: V8 alone would take the old code for it
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'stale or damaged, written at exit' });
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'accepted (taken at exit)' });
  });

  it('a damaged or truncated cache is ignored and replaced', async () => {
    const good = readFileSync(cache);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10]! ^= 0xff;
    writeFileSync(cache, flipped);
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'stale or damaged, written at exit' });
    writeFileSync(cache, good.subarray(0, good.length >> 1));
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'stale or damaged, written at exit' });
    writeFileSync(cache, 'not a cache');
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'stale or damaged, written at exit' });
    expect(await start()).toEqual({ out: 'newer main.cjs /', cache: 'accepted (taken at exit)' });
  });

  it('a cache V8 rejects (made for other code, under a matching header) is replaced', async () => {
    const [head, ...rest] = readFileSync(cache, 'latin1').split('\n');
    const data = Buffer.from(rest.join('\n'), 'latin1');
    writeBundle(`${bundleSource('longer')}// padding so the length differs\n`, 8);
    // a header naming the new bundle, with the old bundle's data (and its true checksum): only V8 can tell
    const { size, mtimeMs } = statSync(bundle);
    const fields = head!.split(' ');
    fields[3] = String(size);
    fields[4] = String(mtimeMs);
    writeFileSync(cache, Buffer.concat([Buffer.from(`${fields.join(' ')}\n`, 'latin1'), data]));
    expect(await start()).toEqual({ out: 'longer main.cjs /', cache: 'rejected by V8, written at exit' });
    expect(await start()).toEqual({ out: 'longer main.cjs /', cache: 'accepted (taken at exit)' });
  });

  it('runs without a cache where none can be written', async () => {
    rmSync(cache);
    mkdirSync(join(cache, 'occupied'), { recursive: true }); // a folder where the cache file would go
    expect(await start()).toEqual({ out: 'longer main.cjs /', cache: 'none, not writable' });
    expect(readFileSync(bundle, 'utf8')).toContain('longer');
    rmSync(cache, { recursive: true });
  });

  it('with source maps on, runs through Node\'s own loader (which maps stack traces; a vm.Script is not mapped)', async () => {
    const map = { version: 3, sources: ['original.ts'], names: [], mappings: 'AAAA;AACA', sourcesContent: ['throw new Error()\n'] };
    writeBundle(`function fail() { throw new Error('boom'); }\nfail();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`, 10);
    const failing = (options: string) => run(process.execPath, [join(dir, 'main.mjs')], { env: { ...env, NODE_OPTIONS: options } }).then(() => '', (e: { stderr: string }) => e.stderr);
    const mapped = await failing('--enable-source-maps');
    expect(mapped).toMatch(/at fail \(.*original\.ts:1:1\)/);
    expect(mapped).toContain('code cache: off (source maps)');
    const plain = await failing('');
    expect(plain).toMatch(/at fail \(.*main\.cjs:1:/);
    expect(plain).toContain('code cache: none, written at exit');
  });
});
