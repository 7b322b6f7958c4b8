/**
 * The README's tours as a new user runs them: a plain copy of the repository's files (what `git clone` gives,
 * with no `../shared` beside it and no SAGEBRUSH_* variables), every `$ …` line of the README's console blocks
 * run in order through bash from the copy's root on its default embedded store, and each output checked against
 * the README's (numbers, ids and `…` are wildcards). `npx sagebrush serve` is started in the background on a free
 * port and the curl lines are pointed at it. No npm warning may appear. The copy shares this checkout's
 * node_modules (a real `npm ci` takes minutes; the clean-install check is `.ci/run`'s). Each `npx sagebrush` is a
 * fresh process (~3 s to start), so the whole tour takes 1–2 min on an idle 2-core machine and up to ~5 min when
 * the cores are busy; the slow steps are the image build (~8 s), text tune (~5 s) and the LLM ones.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface TourStep {
  command: string;
  /** The README's output lines under the command. */
  expected: string[];
  /** `serve`: started in the background, only its first line is checked. */
  longRunning: boolean;
}

/** The `$ ` lines of every ```console block, each with the lines shown under it. */
function parseTour(readme: string): TourStep[] {
  const steps: TourStep[] = [];
  for (const block of readme.matchAll(/^```console\n([\s\S]*?)^```/gm)) {
    for (const line of block[1]!.split('\n')) {
      if (line.startsWith('$ ')) {
        const command = line.slice(2).replace(/\s+#.*$/, '').trim();
        steps.push({ command, expected: [], longRunning: /^npx sagebrush serve\b/.test(command) });
      } else if (line.trim() !== '') steps.at(-1)?.expected.push(line);
    }
  }
  return steps;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A README output line as a pattern: `…` skips anything, ids and numbers match any, runs of spaces any spacing. */
function shapeOf(line: string): RegExp | null {
  const parts = line.trim().split('…').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  const part = (p: string) =>
    p
      .split(/(\b[a-z]{2,5}_[0-9a-z]{16,}\b|\d+(?:\.\d+)?|\s+)/)
      .map((t, i) => (i % 2 === 0 ? escape(t) : /^\s+$/.test(t) ? '\\s+' : /^\d/.test(t) ? '\\d+(?:\\.\\d+)?' : '[a-z]+_[0-9a-z]+'))
      .join('');
  return new RegExp(parts.map(part).join('.*'));
}

const steps = parseTour(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
const IS_CHECKOUT = git.status === 0 && existsSync(join(ROOT, 'node_modules'));

let home = '';
let repo = '';
let server: ChildProcess | undefined;
let port = 0;
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
    s.on('error', fail);
  });
}

function run(command: string): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn('bash', ['-c', command], { cwd: repo, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => ok({ code, out }));
  });
}

function startServer(command: string): Promise<string> {
  return new Promise((ok, fail) => {
    // Its own process group, so npx and the node process under it stop together.
    server = spawn('bash', ['-c', `exec ${command} --port ${port}`], { cwd: repo, env, detached: true });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve did not start in 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/is running at/.test(out)) {
        clearTimeout(timer);
        ok(out);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${out}`)));
  });
}

/** Every expected line, in order, matches some later line of the output. */
function expectOutput(step: TourStep, out: string): void {
  const lines = out.split('\n');
  let at = 0;
  for (const want of step.expected) {
    const shape = shapeOf(want);
    if (!shape) continue;
    const found = lines.findIndex((l, i) => i >= at && shape.test(l));
    expect(found, `README line not in the output of \`${step.command}\`:\n  ${want}\n--- output ---\n${out}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe.skipIf(!IS_CHECKOUT)('README tours from a plain clone', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'sb-tour-'));
    repo = join(home, 'sagebrush');
    for (const f of git.stdout.split('\0').filter(Boolean)) {
      const src = join(ROOT, f);
      if (!existsSync(src) || !statSync(src).isFile()) continue; // deleted in the work tree, or a submodule
      mkdirSync(dirname(join(repo, f)), { recursive: true });
      copyFileSync(src, join(repo, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'), 'dir');
    port = await freePort();
  }, 60_000);

  afterAll(() => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the copy has what the README uses and nothing beside it', () => {
    expect(steps.length).toBeGreaterThan(10);
    expect(existsSync(join(home, 'shared'))).toBe(false);
    expect(readdirSync(home)).toEqual(['sagebrush']);
    expect(existsSync(join(repo, 'assets/models/mobilenetv2-12-int8.onnx'))).toBe(true);
    for (const s of steps) expect(s.command, 'a README command reads ../shared').not.toMatch(/\.\.\/shared|\/work\/shared/);
  });

  it('product code (src/, not tests or test helpers) looks for nothing in ../shared', () => {
    const product = git.stdout.split('\0').filter((f) => /^src\/.*\.ts$/.test(f) && !/\.test\.ts$|(^|\/)testing(\.ts|\/)|__reference__/.test(f));
    const offenders = product.filter((f) => existsSync(join(ROOT, f)) && /shared\/data|\/work\/shared|SAGEBRUSH_SHARED_DATA/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  for (const [i, step] of steps.entries()) {
    it(`${i + 1}. $ ${step.command}`, async () => {
      if (step.longRunning) {
        const out = await startServer(step.command);
        expect(out).not.toMatch(/npm warn/i);
        expectOutput({ ...step, expected: step.expected.slice(0, 1) }, out);
        return;
      }
      const r = await run(step.command.replace(/\b(localhost|127\.0\.0\.1):8080\b/g, `127.0.0.1:${port}`));
      expect(r.out, 'npm printed a warning').not.toMatch(/npm warn/i);
      expect(r.code, r.out).toBe(step.expected[0]?.startsWith('error ') ? 1 : 0);
      expectOutput(step, r.out);
    }, 180_000);
  }
});

if (!IS_CHECKOUT) {
  describe('README tours from a plain clone', () => {
    it.skip('not a git checkout with node_modules: the README tour test needs both', () => {});
  });
}
