/**
 * Load generator for the endpoint benchmark, in its own process (it must not share the server's event loop):
 * `concurrency` clients, each sending one `POST /api/v1/endpoints/NAME/classify {"Text": …}` after the other over
 * keep-alive HTTP/1.1 (one socket per client; bench/rawHttp.ts — until 2026-12-07 node:http, whose client cost ~140 µs
 * of CPU per request on the cores it shares with the server), to 127.0.0.1 only.
 * The first `warmup` requests are not measured; then `count` requests are, each from write to the last byte.
 * Usage: tsx bench/text.load.ts PORT ENDPOINT TEXTS.json CONCURRENCY WARMUP COUNT — prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { buildPost, RawHttpConnection } from './rawHttp.ts';

const [portArg, endpoint, textsFile, cArg, wArg, nArg] = process.argv.slice(2);
if (!portArg || !endpoint || !textsFile || !cArg || !wArg || !nArg) {
  console.error('usage: text.load.ts PORT ENDPOINT TEXTS.json CONCURRENCY WARMUP COUNT');
  process.exit(2);
}
const port = Number(portArg), concurrency = Number(cArg), warmup = Number(wArg), count = Number(nArg);
const path = `/api/v1/endpoints/${encodeURIComponent(endpoint)}/classify`;
const requests = (JSON.parse(readFileSync(textsFile, 'utf8')) as string[]).map((Text) => buildPost(port, path, Buffer.from(JSON.stringify({ Text }))));
const connections = Array.from({ length: concurrency }, () => new RawHttpConnection(port));

async function post(conn: RawHttpConnection, req: Buffer): Promise<{ status: number; ms: number; body: string }> {
  const t0 = process.hrtime.bigint();
  const r = await conn.send(req);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { status: r.status, ms, body: r.status === 200 ? '' : r.body.toString('utf8') };
}

/** Sends `total` requests from `concurrency` clients; returns the latencies (ms) and wall time. */
async function phase(total: number, offset: number) {
  const latencies = new Float64Array(total);
  const statuses = new Map<number, number>();
  let next = 0;
  let firstError: string | undefined;
  const t0 = process.hrtime.bigint();
  await Promise.all(connections.slice(0, Math.min(concurrency, total)).map(async (conn) => {
    for (let i = next++; i < total; i = next++) {
      const r = await post(conn, requests[(offset + i) % requests.length]!);
      latencies[i] = r.ms;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status !== 200 && firstError === undefined) firstError = `${r.status} ${r.body.slice(0, 300)}`;
    }
  }));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9, statuses: Object.fromEntries(statuses), firstError };
}

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: Float64Array, q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

await phase(warmup, 0);
const cpu0 = process.cpuUsage();
const m = await phase(count, warmup);
const cpu = process.cpuUsage(cpu0);
const sorted = m.latencies.slice().sort();
for (const c of connections) c.close();
console.log(JSON.stringify({
  concurrency, warmup, count, seconds: m.seconds, reqPerSec: count / m.seconds,
  p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), max: sorted[sorted.length - 1],
  mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, statuses: m.statuses, firstError: m.firstError, cores: availableParallelism(),
  // the load generator's own CPU per measured request (µs): near 1e6 ÷ req/s, its one core is the bottleneck
  clientCpuUsPerRequest: (cpu.user + cpu.system) / count,
}));
