/**
 * Feature store: point-in-time retrieval of 1 M feature rows (100 k record ids, ~10 rows each, written by our ingest
 * path into a SQLite offline store) against 100 k entity timestamps, beside pandas merge_asof on the same SQLite file
 * and entity CSV in the same run (bench/features.peer.py; each side in its own process: wall time and peak RSS), plus
 * ingest throughput and online get latency (p50/p99, the service's `online()` on the same store).
 * `--smoke`: 2 000 rows, 200 entities, no pandas (CI checks the paths still run).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchOptions, BenchResult } from './run.ts';
import { mulberry32 } from '../src/ml/split/prng.ts';
import { openDatabase } from '../src/storage/db.ts';
import { createFeatureService } from '../src/domains/features/index.ts';

export const name = 'features';
export const title = 'Feature store: point-in-time retrieval vs pandas merge_asof, ingest, online get';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);


interface Side { seconds: number; rows: number; matched: number; checksum: number; baselineRssMb: number; peakRssMb: number; readSeconds?: number; mergeSeconds?: number; pandas?: string }

async function side(cmd: string, args: string[]): Promise<Side> {
  const { stdout } = await run(cmd, args, { cwd: join(HERE, '..'), maxBuffer: 16 << 20, timeout: 20 * 60_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Side;
}

async function pandasAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  return run(PYTHON, ['-c', 'import pandas']).then(() => true, () => false);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const f = (x: number, d = 2) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function runBench(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const smoke = options.smoke;
  const nRows = smoke ? 2_000 : 1_000_000, nIds = smoke ? 200 : 100_000, nEntities = smoke ? 200 : 100_000, repeats = smoke ? 1 : 2;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-features-'));
  try {
    const dbPath = join(dir, 'features.db');
    const db = await openDatabase(`sqlite:${dbPath}`);
    const features = createFeatureService({ db });
    const group = await features.create({
      name: 'bench', recordIdentifierFeature: 'id', eventTimeFeature: 'ts',
      features: [{ name: 'id', type: 'string' }, { name: 'ts', type: 'integer' }, { name: 'f1', type: 'double' }, { name: 'f2', type: 'integer' }, { name: 'status', type: 'string' }],
    });
    // 1 M rows in random order (ids and times shuffled: late rows arrive all the time), written in batches of 50 k.
    const rand = mulberry32(7).next;
    const statuses = ['APPROVED', 'REJECTED', 'PENDING'];
    const batch = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < nRows; i += batch) {
      const records = Array.from({ length: Math.min(batch, nRows - i) }, () => ({
        id: `e${Math.floor(rand() * nIds)}`, ts: START + Math.floor(rand() * 365) * DAY + Math.floor(rand() * 86_400) * 1000,
        f1: Math.round(rand() * 1e6) / 1e3, f2: Math.floor(rand() * 1000), status: statuses[Math.floor(rand() * 3)],
      }));
      await features.ingest('bench', records);
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    // Entities: random ids (1% never written) at random times over the same year (some before any row of their id).
    const lines = ['record_id,timestamp'];
    for (let i = 0; i < nEntities; i++) lines.push(`${rand() < 0.01 ? 'unknown' : 'e'}${Math.floor(rand() * nIds)},${START + Math.floor(rand() * 366 * DAY)}`);
    const entitiesPath = join(dir, 'entities.csv');
    writeFileSync(entitiesPath, `${lines.join('\n')}\n`);
    // Online get: the service's read of one record id, 10 k random ids (warm-up first).
    const gets = smoke ? 200 : 10_000;
    for (let i = 0; i < 100; i++) await features.online('bench', `e${i % nIds}`).catch(() => undefined);
    const lat: number[] = [];
    for (let i = 0; i < gets; i++) {
      const id = `e${Math.floor(rand() * nIds)}`;
      const s = performance.now();
      await features.online('bench', id).catch(() => undefined);
      lat.push(performance.now() - s);
    }
    lat.sort((a, b) => a - b);
    await db.destroy();

    const best = (xs: Side[]) => ({ ...xs.reduce((a, b) => (b.seconds < a.seconds ? b : a)), peakRssMb: Math.max(...xs.map((x) => x.peakRssMb)) });
    const oursRuns: Side[] = [];
    for (let r = 0; r < repeats; r++) oursRuns.push(await side(process.execPath, ['--import', 'tsx', join(HERE, 'features.ours.ts'), dbPath, entitiesPath, 'bench']));
    const ours = best(oursRuns);
    let peer: Side | undefined;
    let peerNote = '';
    if (smoke) peerNote = 'smoke run: pandas peer not run.';
    else if (!(await pandasAvailable())) peerNote = 'pandas not installed — peer skipped (apt-get install python3-pandas).';
    else {
      const runs: Side[] = [];
      for (let r = 0; r < repeats; r++) runs.push(await side(PYTHON, [join(HERE, 'features.peer.py'), dbPath, entitiesPath, group.id]));
      peer = best(runs);
    }

    const md: string[] = [
      `${nRows.toLocaleString('en-US')} feature rows (${nIds.toLocaleString('en-US')} record ids, 5 features, random ids and event times over a year, written in random order through our ingest path into the SQLite offline store), ${nEntities.toLocaleString('en-US')} entity rows (record id, timestamp; 1% unknown ids). Both sides read the same SQLite file and entity CSV, each in its own process, best of ${repeats} (peak RSS: the larger).`,
      '',
      '| system | retrieval (s) | time vs pandas | peak RSS (MB) | RSS vs pandas | RSS before the clock (MB) | matched | checksum |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      `| Sagebrush (service.retrieve: key-ordered scan + streamed as-of join) | ${f(ours.seconds)} | ${peer ? `${f(ours.seconds / peer.seconds)}×` : '–'} | ${f(ours.peakRssMb, 0)} | ${peer ? `${f(ours.peakRssMb / peer.peakRssMb)}×` : '–'} | ${f(ours.baselineRssMb, 0)} | ${ours.matched.toLocaleString('en-US')} | ${ours.checksum} |`,
    ];
    if (peer) {
      md.push(`| pandas ${peer.pandas} (read_sql + merge_asof + JSON of matched rows) | ${f(peer.seconds)} | 1.00× | ${f(peer.peakRssMb, 0)} | 1.00× | ${f(peer.baselineRssMb, 0)} | ${peer.matched.toLocaleString('en-US')} | ${peer.checksum} |`);
      md.push('', `pandas parts: read_sql ${f(peer.readSeconds ?? 0)} s, sort + merge_asof + reorder ${f(peer.mergeSeconds ?? 0)} s. Answers agree: **${peer.matched === ours.matched && peer.checksum === ours.checksum ? 'yes' : 'NO'}** (matched count and the sum of f2 over matched rows).`);
      md.push(`Aim — faster than pandas: **${ours.seconds < peer.seconds ? 'MET' : 'MISSED'}**; memory no more than pandas': **${ours.peakRssMb <= peer.peakRssMb ? 'MET' : 'MISSED'}**.`);
    } else md.push('', peerNote);
    md.push(
      '',
      '| ingest | rows/s | seconds |', '|---|---:|---:|',
      `| service.ingest, batches of 50 000 (validate all, append offline + move online, one transaction each) | ${Math.round(nRows / ingestSeconds).toLocaleString('en-US')} | ${f(ingestSeconds, 1)} |`,
      '',
      '| online get (service.online, one record id) | p50 (ms) | p99 (ms) | calls |', '|---|---:|---:|---:|',
      `| SQLite online table, ${nIds.toLocaleString('en-US')} ids | ${f(pct(lat, 50), 3)} | ${f(pct(lat, 99), 3)} | ${gets.toLocaleString('en-US')} |`,
      '',
      'RSS is the whole process (Node + tsx + the app modules; Python + pandas). Peak RSS includes what was loaded before the clock (the entity list).',
    );
    return {
      markdown: md.join('\n'),
      summary: { rows: nRows, entities: nEntities, oursSeconds: ours.seconds, oursPeakRssMb: ours.peakRssMb, pandasSeconds: peer?.seconds ?? null, pandasPeakRssMb: peer?.peakRssMb ?? null, ingestRowsPerSecond: nRows / ingestSeconds, onlineP50Ms: pct(lat, 50), onlineP99Ms: pct(lat, 99) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { runBench as run };
