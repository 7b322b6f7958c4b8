/**
 * The compiled build (ADR 0006). Unit: the launcher's freshness check (bin/freshness.js). Processes: a copy of the
 * repository's sources built by `npm run build:server`'s script and run through bin/sagebrush.js with a
 * node_modules that has no tsx, so every module the CLI, the server and its job thread load must come from dist/ —
 * the CLI from its bundle (dist/bundle/, scripts/bundle-server.mjs), the worker threads from their per-file entries;
 * then a source saved after the build makes the launcher run the sources through tsx instead, with a note. The bundle
 * is one CommonJS script run with V8's code cache (bin/bundle.js, ADR 0008; codeCache.test.ts covers the loader):
 * which of its modules a command evaluates is traced through esbuild's lazy-init helpers (see trace-imports.mjs).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildState, sourceState, STAMP_NAME } from '../../bin/freshness.js';
import { multiClassCsv, multiLabelCsv } from '../domains/text/testing/synthetic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('bin/freshness.js', () => {
  const root = mkdtempSync(join(tmpdir(), 'sb-fresh-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, text = 'x') => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const stamp = () => writeFileSync(join(root, 'dist', STAMP_NAME), JSON.stringify(sourceState(join(root, 'src'))));
  const age = (rel: string, s: number) => utimesSync(join(root, rel), Date.now() / 1000 + s, Date.now() / 1000 + s);

  it('is missing without a stamp, fresh after one, stale when an input or the lockfile is newer, or an input added or deleted', () => {
    write('src/a.ts');
    write('src/jobs/thread/bootstrap.mjs');
    write('src/cql/library/x.json');
    write('src/a.test.ts');
    expect(buildState(root)).toBe('missing');
    mkdirSync(join(root, 'dist'));
    stamp();
    expect(buildState(root)).toBe('fresh');
    age('src/a.test.ts', 60); // tests are not built
    write('src/README.md');
    expect(buildState(root)).toBe('fresh');
    age('src/cql/library/x.json', 60); // copied into dist/
    expect(buildState(root)).toBe('stale');
    stamp();
    write('src/b.ts');
    age('src/b.ts', -3600); // restored from an old archive: older than the build, but new to it
    expect(buildState(root)).toBe('stale');
    stamp();
    unlinkSync(join(root, 'src/b.ts'));
    expect(buildState(root)).toBe('stale');
    stamp();
    write('package-lock.json'); // new library versions: the bundle holds the old ones
    age('package-lock.json', 60);
    expect(buildState(root)).toBe('stale');
    stamp();
    expect(buildState(root)).toBe('fresh');
    rmSync(join(root, 'src'), { recursive: true }); // installed with the build only
    expect(buildState(root)).toBe('fresh');
  });
});

/** A node_modules of links to this checkout's packages, without tsx (and, with `tsx`, with it). */
function linkModules(dir: string, tsx: boolean): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === '.bin' || (name === 'tsx' && !tsx)) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, name));
  }
}

describe('the compiled build', () => {
  const copy = mkdtempSync(join(tmpdir(), 'sb-build-'));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS')), NODE_NO_WARNINGS: '1', SAGEBRUSH_DEBUG_CODE_CACHE: '1' };
  let server: ReturnType<typeof spawn> | undefined;

  /**
   * Runs bin/sagebrush.js in the copy. `loaded`: the files of the copy and the packages it imported or the bundle
   * required; `evaluated`: the bundle's lazily evaluated sources and libraries that ran; `codeCache`: the loader's word.
   */
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; loaded: string[]; evaluated: string[]; codeCache: string }> {
    const r = await run(process.execPath, ['--import', './trace-imports.mjs', 'bin/sagebrush.js', ...args], { cwd: copy, env, maxBuffer: 64 << 20 }).then(
      (ok) => ({ ...ok, code: 0 }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    const lines = r.stderr.split('\n');
    const npm = (f: string) => f.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, 'npm:$1');
    const tagged = (tag: string) => [...new Set(lines.filter((l) => l.startsWith(tag)).map((l) => npm(l.slice(tag.length).replace(`file://${copy}/`, '').replace(`${copy}/`, ''))))];
    const required = tagged('REQUIRE ').map((f) => (/^[@\w]/.test(f) && !f.startsWith('npm:') && !f.startsWith('dist/') ? `npm:${f.split('/')[0]}` : f));
    return {
      code: r.code, stdout: r.stdout, loaded: [...tagged('IMPORT '), ...required], evaluated: tagged('INIT '),
      codeCache: /^code cache: (.*)$/m.exec(r.stderr)?.[1] ?? '',
      stderr: lines.filter((l) => !/^(IMPORT|REQUIRE|INIT) /.test(l)).join('\n'),
    };
  }

  beforeAll(async () => {
    // the text sample: the build's code-cache warm-up trains on it (stopping before the job)
    for (const p of ['src', 'bin', 'scripts/build-server.mjs', 'scripts/bundle-server.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'examples/text/jigsaw-toxic-1k.csv']) cpSync(join(ROOT, p), join(copy, p), { recursive: true });
    linkModules(join(copy, 'node_modules'), false);
    // Every ES module resolved in the process (and its threads: hooks run in their own thread), on stderr.
    writeFileSync(join(copy, 'trace-hooks.mjs'), "export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) process.stderr.write('IMPORT ' + r.url + '\\n'); return r; }\n");
    // What the bundle requires (packages, and files of the copy), and which of its lazily evaluated modules run:
    // esbuild's init helpers (__esm, __commonJS) call Object.getOwnPropertyNames on `{ "<module path>"() {…} }`.
    writeFileSync(join(copy, 'trace-imports.mjs'), [
      "import Module, { register } from 'node:module';",
      "register('./trace-hooks.mjs', import.meta.url);",
      'const load = Module._load;',
      "Module._load = function (request, parent, ...rest) { if (parent?.filename?.endsWith('/dist/bundle/main.cjs') && !request.startsWith('node:') && !Module.isBuiltin(request)) process.stderr.write('REQUIRE ' + (request.startsWith('.') ? Module._resolveFilename(request, parent) : request) + '\\n'); return load.call(this, request, parent, ...rest); };",
      'const names = Object.getOwnPropertyNames;',
      "Object.getOwnPropertyNames = function (o) { const r = names(o); if (r.length === 1 && /^(?:src\\/|.*node_modules\\/).*\\.(?:[cm]?js|ts|json)$/.test(r[0])) process.stderr.write('INIT ' + r[0] + '\\n'); return r; };",
      '',
    ].join('\n'));
    await run(process.execPath, ['scripts/build-server.mjs'], { cwd: copy, env });
    expect(buildState(copy)).toBe('fresh');
  }, 240_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(copy, { recursive: true, force: true });
  });

  const HEAVY = /^(src\/|dist\/(app|http|domains|storage|runtimes|ml)\/|npm:(tsx|fastify|kysely|better-sqlite3|node-llama-cpp|sharp|onnxruntime-node|piscina|@cqframework\/cql|cql-execution|@medplum\/core|zod)$)/;

  it('--help runs the bundle with the build\'s code cache and evaluates only the CLI (no app, domains, tsx or heavy libraries)', async () => {
    const r = await cli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: sagebrush');
    expect(r.loaded).toContain('dist/bundle/main.js');
    expect(r.codeCache).toBe('accepted (taken at checkpoint)'); // written by the build's warm-up
    expect(r.loaded.filter((f) => HEAVY.test(f))).toEqual([]);
    expect(r.evaluated.filter((f) => /^src\/(app|http|domains|storage|runtimes|ml)\/|^npm:(fastify|kysely|zod|pino)$/.test(f))).toEqual([]);
  }, 60_000);

  it('text train runs from the bundle: the whole app from one file, none of the per-file tree on its thread', async () => {
    const file = join(copy, 'comments.csv');
    writeFileSync(file, multiLabelCsv(160));
    const r = await cli(['--data-dir', join(copy, 'train-data'), '--json', 'text', 'train', file, '--mode', 'multi-label']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { model: { version: number }; train_seconds: number; micro_f1: number };
    expect(out.model.version).toBe(1);
    expect(out.train_seconds).toBeGreaterThan(0);
    expect(out.micro_f1).toBeGreaterThan(0.5);
    // no module of the per-file tree on this thread (the bundle holds them), tsx nowhere
    const own = r.loaded.filter((f) => !f.startsWith('npm:'));
    expect(own.filter((f) => f.startsWith('src/') || f === 'dist/cli/main.js' || /^dist\/(app|http|domains|storage|jobs|core)\//.test(f))).toEqual([]);
    expect(r.loaded).not.toContain('npm:tsx');
    expect(r.loaded).toContain('npm:better-sqlite3');
    expect(r.loaded).not.toContain('npm:piscina'); // the scoring pool's library loads with the first pool
    // these ran, evaluated lazily from the bundle, so `--help` above did not evaluate them
    expect(r.evaluated).toEqual(expect.arrayContaining(['src/domains/text/train.ts', 'src/http/app.ts', 'npm:kysely', 'npm:fastify', 'npm:zod']));
    // the build's warm-up took the cache at the same checkpoint (with the app's code), so this run only reads it
    expect(r.codeCache).toBe('accepted (taken at checkpoint)');
  }, 120_000);

  it('a damaged code cache is not used: the bundle compiles from its source, runs, and writes a new one', async () => {
    const cache = join(copy, 'dist/bundle/main.cjs.cache');
    const good = readFileSync(cache);
    writeFileSync(cache, Buffer.concat([good.subarray(0, good.length - 100), Buffer.alloc(100, 7)]));
    const r = await cli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: sagebrush');
    expect(r.codeCache).toBe('stale or damaged, written at exit');
    expect((await cli(['--help'])).codeCache).toBe('accepted (taken at exit)');
  }, 60_000);

  it('serve from dist/ answers /healthz and runs jobs in its thread; the CLI talks to it with --url', async () => {
    const child = spawn(process.execPath, ['bin/sagebrush.js', '--data-dir', join(copy, 'data'), 'serve', '--port', '0'], { cwd: copy, env: { ...env, SAGEBRUSH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    server = child;
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start within 90 s:\n${err}`)), 90_000);
      child.stderr!.on('data', () => {
        const m = /Sagebrush is running at (http:\/\/\S+)/.exec(err);
        if (m) ok(m[1]!);
      });
      child.once('exit', (code) => fail(new Error(`serve exited (code ${code}):\n${err}`)));
      child.once('exit', () => clearTimeout(timer));
    });
    expect(err).toMatch(/jobs: thread/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);

    const file = join(copy, 'tickets.csv');
    writeFileSync(file, multiClassCsv(20));
    const r = await cli(['--url', url, '--json', 'datasets', 'import', file, '--header', 'false']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).version).toMatchObject({ rowCount: 60, status: 'ready' });
    expect(r.loaded.filter((f) => f.startsWith('src/') || f === 'npm:tsx')).toEqual([]);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(err).not.toMatch(/older than src/);
  }, 180_000);

  it('runs the sources through tsx, with a note, once a source is newer than the build', async () => {
    linkModules(join(copy, 'node_modules'), true);
    const later = Date.now() / 1000 + 5;
    utimesSync(join(copy, 'src/cli/output.ts'), later, later);
    const r = await cli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: sagebrush');
    expect(r.stderr).toContain('dist/ is older than src/');
    expect(r.loaded).toContain('src/cli/main.ts');
    expect(r.loaded).not.toContain('dist/cli/main.js');
  }, 60_000);
});
