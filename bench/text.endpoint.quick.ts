/**
 * The endpoint benchmark alone, for iterating on the serving path (not part of `npm run bench`): trains and deploys
 * the jigsaw model once into a data dir that is kept between runs (SB_QUICK_DIR, default /tmp/sb-endpoint-quick), then
 * for each configuration starts a fresh bench server on it and runs the load generator (pinned to CPU 0, as the
 * bench does) at the given levels. Usage: tsx bench/text.endpoint.quick.ts [CLIENTS:COUNT[:WARMUP] …] — default
 * 50:5000:5000 1:1000:1000. Each line gives the server's CPU per measured request, by thread.
 * SB_QUICK_SERVERS: comma-separated scoring-thread settings, `default` or a number (default `default,0`).
 * SB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the servers.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './serverProcess.ts';
import { prepareDatasets } from './text.data.ts';
import { api, deployBenchModel, loadProcess, type LoadResult } from './text.endpoint.ts';
import { REPO_ROOT } from './text.peers.ts';

const dir = process.env.SB_QUICK_DIR ?? '/tmp/sb-endpoint-quick';
const dataDir = join(dir, 'server-data'), textsFile = join(dir, 'endpoint-texts.json');
const levels = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['50:5000:5000', '1:1000:1000']).map((a) => a.split(':').map(Number) as [number, number, number?]);
const servers = (process.env.SB_QUICK_SERVERS ?? 'default,0').split(',');

mkdirSync(dir, { recursive: true });
if (!existsSync(textsFile)) {
  const { datasets } = prepareDatasets(join(REPO_ROOT, '..', 'shared', 'data'), dir, false);
  const jigsaw = datasets.find((d) => d.key === 'jigsaw')!;
  const server = await startBenchServer('text.server.ts', dataDir);
  try {
    await deployBenchModel(`http://127.0.0.1:${server.port}`, jigsaw.trainFile, jigsaw.testFile);
  } finally {
    await server.stop();
  }
  writeFileSync(textsFile, JSON.stringify(jigsaw.testTexts.filter((t) => t.trim() !== '' && Buffer.byteLength(t, 'utf8') <= 10 * 1024)));
}

/** CPU ms (user + system) of each thread of a process, by thread name (/proc: Linux only). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, ((Number(f[11]) + Number(f[12])) * 1000) / 100);
    } catch {
      /* thread ended */
    }
  }
  return out;
}

for (const s of servers) {
  const server = await startBenchServer('text.server.ts', dataDir, s === 'default' ? {} : { SB_SCORING_THREADS: s });
  try {
    await api(`http://127.0.0.1:${server.port}`, 'POST', '/api/v1/endpoints/toxic/classify', { Text: 'warm up' });
    for (const [c, n, w] of levels) {
      const warm = w ?? Math.max(c, Math.round(n / 10));
      const load = loadavg()[0]!.toFixed(2);
      // the warm-up in a run of its own, so the CPU figures below cover the measured requests only
      if (warm > 0) await loadProcess<LoadResult>('text.load.ts', [String(server.port), 'toxic', textsFile, String(c), '0', String(warm)]);
      const before = threadCpu(server.child.pid!);
      const r = await loadProcess<LoadResult>('text.load.ts', [String(server.port), 'toxic', textsFile, String(c), '0', String(n)]);
      const non200 = r.count - (r.statuses['200'] ?? 0);
      const after = threadCpu(server.child.pid!), total = r.count;
      // per request: the main thread, the busiest other thread (the scoring thread when there is one), the rest
      const used = [...after].map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / total] as const);
      const main = used.find(([k]) => k.endsWith(`#${server.child.pid}`))?.[1] ?? 0;
      const others = used.filter(([k]) => !k.endsWith(`#${server.child.pid}`)).map(([, v]) => v).sort((a, b) => b - a);
      const per: Array<readonly [string, number]> = [['main', main], ['busiest other', others[0] ?? 0], ['rest', others.slice(1).reduce((a, b) => a + b, 0)]];
      const cpu = main + others.reduce((a, b) => a + b, 0);
      console.log(`threads=${s} clients=${c} n=${n}+${warm} req/s=${r.reqPerSec.toFixed(0)} p50=${r.p50.toFixed(2)} p95=${r.p95.toFixed(2)} p99=${r.p99.toFixed(2)} max=${r.max.toFixed(1)} non200=${non200} load1=${load} cpu/req=${(cpu * 1000).toFixed(0)}us [${per.map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}`).join(', ')}]${r.firstError ? ` err=${r.firstError}` : ''}`);
    }
  } finally {
    await server.stop();
  }
}
