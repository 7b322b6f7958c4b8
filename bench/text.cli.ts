/**
 * The CLI row of the text bench on its own (`npx tsx bench/text.cli.ts [jigsaw|goemotions …] [--keep DIR]`):
 * `sagebrush --help` and `sagebrush --json text train TRAIN --mode multi-label --test TEST` end to end, without the
 * peers (scikit-learn, fastText) the full `npm run bench -- text` runs. Besides the wall time it prints where the
 * time went: the timeline of the run's jobs (queued → started → finished) and of the train job's stage logs, read
 * from the run's own data directory. The split files are written once into .tmp/text-cli-data and reused.
 * `--dist` runs the build directly — dist/bundle/main.js, what bin/sagebrush.js runs when the build is fresh (or
 * dist/cli/main.js from a build without the bundle) — for timing a build while other work keeps touching src/ (which
 * would make bin/sagebrush.js run the sources through tsx instead). `--per-file` runs dist/cli/main.js (no bundle).
 * `--ab BASE --pairs N` times BASE (another build's CLI entry, e.g. a copy of the tree taken before a change: its
 * bin/, dist/, package.json and a node_modules link) against this one, alternately, N pairs per dataset, and prints
 * the medians of each and of the paired differences, with the load: on a shared machine, single runs mean little.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { prepareDatasets, type PreparedDataset } from './text.data.ts';
import { REPO_ROOT } from './text.peers.ts';
import { buildState } from '../bin/freshness.js';

const run = promisify(execFile);
const BUNDLE = join(REPO_ROOT, 'dist', 'bundle', 'main.js');
const PER_FILE = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** SB_BENCH_BIN: a CLI entry of another build (e.g. a copy of dist/ taken before a change), for same-run comparisons. */
const BIN = process.env.SB_BENCH_BIN ?? (process.argv.includes('--per-file') ? PER_FILE : process.argv.includes('--dist') ? (existsSync(BUNDLE) ? BUNDLE : PER_FILE) : join(REPO_ROOT, 'bin', 'sagebrush.js'));
/** SB_BENCH_DATA / SB_BENCH_CACHE: for timing another checkout (e.g. a baseline build elsewhere) on the same files. */
const DATA_DIR = process.env.SB_BENCH_DATA ?? join(REPO_ROOT, '..', 'shared', 'data');
const CACHE = process.env.SB_BENCH_CACHE ?? join(REPO_ROOT, '.tmp', 'text-cli-data');

export interface CliTimeline {
  wallSeconds: number;
  trainSeconds: number;
  /** User + system CPU seconds of the CLI process (all threads): less sensitive to other processes' load than wall. */
  cpuSeconds: number;
  /** Seconds from the process start to each event (job queued/started/finished, train-job stage logs). */
  events: Array<{ at: number; what: string }>;
  meanAuc: number;
  /** What the bundle's loader did with V8's code cache (bin/bundle.js, ADR 0008); '' when not run from the bundle. */
  codeCache: string;
}

function datasets(): PreparedDataset[] {
  const stamp = join(CACHE, 'datasets.json');
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8')) as PreparedDataset[];
  mkdirSync(CACHE, { recursive: true });
  const { datasets: ds } = prepareDatasets(DATA_DIR, CACHE, false);
  const kept = ds.map((d) => ({ ...d, testTexts: [] }));
  writeFileSync(stamp, JSON.stringify(kept));
  return kept;
}

/** Times `sagebrush --help` (`n` runs; the best) — process start plus loading the CLI's modules. */
export async function helpSeconds(n = 5): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(process.execPath, [BIN, '--help'], { cwd: REPO_ROOT });
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

export async function cliTimeline(ds: PreparedDataset, keep?: string, bin = BIN): Promise<CliTimeline> {
  const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const startedAt = Date.now();
  const t0 = performance.now();
  const usage = join(dataDir, 'usage.json');
  const { stdout, stderr } = await run(process.execPath, ['--import', join(REPO_ROOT, 'bench', 'text.rss.mjs'), bin, '--data-dir', dataDir, '--json', 'text', 'train', ds.trainFile, '--mode', 'multi-label', '--test', ds.testFile], {
    cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 30 * 60_000, env: { ...process.env, NODE_NO_WARNINGS: '1', SB_BENCH_RSS_FILE: usage, SAGEBRUSH_DEBUG_CODE_CACHE: '1' },
  });
  const codeCache = /^code cache: (.*)$/m.exec(stderr)?.[1] ?? '';
  const cpuSeconds = (JSON.parse(readFileSync(usage, 'utf8')) as { cpuSeconds: number }).cpuSeconds;
  const wallSeconds = (performance.now() - t0) / 1000;
  const out = JSON.parse(stdout) as { train_seconds: number; mean_auc: number };
  const db = new Database(join(dataDir, 'sagebrush.db'), { readonly: true });
  const at = (iso: string | null) => (iso ? (Date.parse(iso) - startedAt) / 1000 : NaN);
  const events: CliTimeline['events'] = [];
  const jobs = db.prepare('SELECT id, type, created_at, started_at, finished_at FROM jobs ORDER BY created_at').all() as Array<Record<string, string>>;
  for (const j of jobs) {
    events.push({ at: at(j.created_at!), what: `${j.type} queued` }, { at: at(j.started_at!), what: `${j.type} started` }, { at: at(j.finished_at!), what: `${j.type} finished` });
    const logs = db.prepare('SELECT at, message FROM job_logs WHERE job_id = ? ORDER BY id').all(j.id) as Array<{ at: string; message: string }>;
    for (const l of logs) events.push({ at: at(l.at), what: `  ${j.type}: ${l.message.slice(0, 70)}` });
  }
  db.close();
  if (!keep) rmSync(dataDir, { recursive: true, force: true });
  events.push({ at: wallSeconds, what: 'process exited' });
  events.sort((a, b) => a.at - b.at);
  return { wallSeconds, cpuSeconds, trainSeconds: out.train_seconds, events, meanAuc: out.mean_auc, codeCache };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** `--ab`: alternating runs of `base` and this build; medians of each and of the paired differences (this − base). */
async function abPairs(ds: PreparedDataset, base: string, pairs: number): Promise<void> {
  type Row = { wall: number; train: number; ratio: number; overhead: number; evaluation: number; cpu: number; load: number };
  const rows: Record<'base' | 'this', Row[]> = { base: [], this: [] };
  const measure = async (bin: string): Promise<Row> => {
    const r = await cliTimeline(ds, undefined, bin);
    // from the train job's 'evaluating' stage log to the job's end: held-out scoring, metrics, artifacts
    const evaluating = r.events.find((e) => e.what.includes('text.train: evaluating'))?.at ?? NaN;
    const finished = r.events.find((e) => e.what === 'text.train finished')?.at ?? NaN;
    return { wall: r.wallSeconds, train: r.trainSeconds, ratio: r.wallSeconds / r.trainSeconds, overhead: r.wallSeconds - r.trainSeconds, evaluation: finished - evaluating, cpu: r.cpuSeconds, load: loadavg()[0]! };
  };
  for (let i = 0; i < pairs; i++) {
    for (const [arm, bin] of (i % 2 ? [['this', BIN], ['base', base]] : [['base', base], ['this', BIN]]) as ['base' | 'this', string][]) {
      const row = await measure(bin);
      rows[arm].push(row);
      console.log(`  ${arm.padEnd(4)} wall ${row.wall.toFixed(2)} s, train_seconds ${row.train.toFixed(2)} s → ${row.ratio.toFixed(3)}×, overhead ${row.overhead.toFixed(2)} s, evaluating→finished ${row.evaluation.toFixed(2)} s, CPU ${row.cpu.toFixed(2)} s, load ${row.load.toFixed(1)}`);
    }
  }
  console.log(`\n${ds.key}: ${pairs} alternating pairs (base first in the 1st, 3rd, … pair), medians: base | this | paired difference (this − base)`);
  for (const k of ['wall', 'train', 'ratio', 'overhead', 'evaluation', 'cpu', 'load'] as const) {
    const b = rows.base.map((r) => r[k]), t = rows.this.map((r) => r[k]);
    const diff = t.map((x, i) => x - b[i]!);
    console.log(`  ${k.padEnd(10)} ${median(b).toFixed(3).padStart(7)} | ${median(t).toFixed(3).padStart(7)} | ${median(diff) >= 0 ? '+' : ''}${median(diff).toFixed(3)}`);
  }
}

if (process.argv[1]?.endsWith('text.cli.ts')) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const keep = valueOf('--keep');
  const ab = valueOf('--ab');
  const pairs = Number(valueOf('--pairs') ?? 6);
  const valued = new Set(['--keep', '--ab', '--pairs'].map((f) => args.indexOf(f) + 1).filter((i) => i > 0));
  const wanted = args.filter((a, i) => !a.startsWith('--') && !valued.has(i));
  const all = datasets().filter((d) => wanted.length === 0 || wanted.includes(d.key));
  const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
  if (ab) {
    console.log(`A/B: base ${ab} vs ${BIN}; ${cpus().length} CPUs; load ${load()}`);
    for (const ds of all) await abPairs(ds, ab, pairs);
    process.exit(0);
  }
  console.log(`build: ${buildState(REPO_ROOT)}${BIN.endsWith('main.js') ? ` (${BIN.slice(REPO_ROOT.length + 1)} run directly)` : ''}; ${cpus().length} CPUs; load ${load()}`);
  console.log(`sagebrush --help: ${(await helpSeconds()).toFixed(3)} s (best of 5); node -e '' for scale: ${(await (async () => {
    const t0 = performance.now();
    await run(process.execPath, ['-e', '']);
    return (performance.now() - t0) / 1000;
  })()).toFixed(3)} s`);
  for (const ds of all) {
    const r = await cliTimeline(ds, keep ? join(keep, ds.key) : undefined);
    console.log(`\n${ds.key}: wall ${r.wallSeconds.toFixed(2)} s, train_seconds ${r.trainSeconds.toFixed(2)} s → ${(r.wallSeconds / r.trainSeconds).toFixed(2)}× (overhead ${(r.wallSeconds - r.trainSeconds).toFixed(2)} s); CPU ${r.cpuSeconds.toFixed(2)} s; mean AUC ${r.meanAuc.toFixed(4)}; load ${load()}${r.codeCache ? `; code cache: ${r.codeCache}` : ''}`);
    for (const e of r.events) console.log(`  ${e.at.toFixed(2).padStart(7)}  ${e.what}`);
  }
}
