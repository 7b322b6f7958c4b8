/**
 * The endpoint benchmark alone, for iterating on the serving path (not part of `npm run bench`; docs untouched):
 * trains and deploys the jigsaw model once into a data dir kept between runs (SB_QUICK_DIR, default
 * /tmp/sb-endpoint-quick), then for each configuration starts a fresh bench server on it and runs the load generator
 * (pinned to CPU 0, as the bench does) at the given levels, each printed with the load average and the server's CPU
 * per measured request by thread (text.endpoint.ts `measureLevel`).
 * Usage: tsx bench/text.endpoint.quick.ts [CLIENTS:COUNT[:WARMUP] …] — default 50:5000:10000 1:1000:100.
 * SB_QUICK_SERVERS: comma-separated scoring-thread settings, `default` or a number (default `default,0`).
 * SB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the servers.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBenchServer } from './serverProcess.ts';
import { prepareDatasets } from './text.data.ts';
import { api, deployBenchModel, measureLevel } from './text.endpoint.ts';
import { REPO_ROOT } from './text.peers.ts';

const dir = process.env.SB_QUICK_DIR ?? '/tmp/sb-endpoint-quick';
const dataDir = join(dir, 'server-data'), textsFile = join(dir, 'endpoint-texts.json');
const levels = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['50:5000:10000', '1:1000:100']).map((a) => {
  const [concurrency, count, warmup] = a.split(':').map(Number) as [number, number, number?];
  return { concurrency, count, warmup: warmup ?? Math.max(concurrency, Math.round(count / 10)) };
});
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

const f = (x: number | undefined, d = 0) => (x === undefined ? '–' : x.toFixed(d));
for (const s of servers) {
  const server = await startBenchServer('text.server.ts', dataDir, s === 'default' ? {} : { SB_SCORING_THREADS: s });
  try {
    await api(`http://127.0.0.1:${server.port}`, 'POST', '/api/v1/endpoints/toxic/classify', { Text: 'warm up' });
    for (const l of levels) {
      const r = await measureLevel(server.port, server.child.pid!, textsFile, l);
      const cpu = r.serverCpuUs;
      console.log(`threads=${s} clients=${r.concurrency} n=${r.count}+${r.warmup} req/s=${f(r.reqPerSec)} p50=${f(r.p50, 2)} p95=${f(r.p95, 2)} p99=${f(r.p99, 2)} max=${f(r.max, 1)} ` +
        `non200=${r.count - (r.statuses['200'] ?? 0)} load1=${f(r.loadAvg, 2)} cpu/req=${cpu ? f(cpu.eventLoop + cpu.busiestOther + cpu.rest) : '–'}us ` +
        `[event loop ${f(cpu?.eventLoop)}, busiest other ${f(cpu?.busiestOther)}, rest ${f(cpu?.rest)}] client cpu/req=${f((r as { clientCpuUsPerRequest?: number }).clientCpuUsPerRequest)}us${r.firstError ? ` err=${r.firstError}` : ''}`);
    }
  } finally {
    await server.stop();
  }
}
