/**
 * Load generator for the CDS Hooks benchmark, in its own process (it must not share the server's event loop):
 * `concurrency` clients, each POSTing the next hook request as soon as its previous answer arrived, over one
 * keep-alive connection per client (bench/rawHttp.ts), to 127.0.0.1 only. (Until issue 17 it used Node's fetch, whose
 * undici machinery cost ~1.9 ms of CPU per request — on a 2-core machine shared with the server, that was CPU the
 * server did not get; then node:http, ~0.4 ms; the lean client does the same exchange for less, and the table still
 * reports what it used.) Every request gets a fresh
 * `hookInstance` (the bodies carry the placeholder `__HOOK_INSTANCE__`). The first `warmup` requests are not
 * measured; then `count` are, each from send to the last byte of the answer (and this process's CPU time over them:
 * how much of the shared cores the load generator itself used). A 200 must carry a system action
 * (CRD's coverage-information on the order) or it counts as an error.
 * Usage: tsx bench/cds.load.ts URL BODIES.json CONCURRENCY WARMUP COUNT — prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildPost, RawHttpConnection } from './rawHttp.ts';

const [url, bodiesFile, cArg, wArg, nArg] = process.argv.slice(2);
if (!url || !bodiesFile || !cArg || !wArg || !nArg) {
  console.error('usage: cds.load.ts URL BODIES.json CONCURRENCY WARMUP COUNT');
  process.exit(2);
}
const concurrency = Number(cArg), warmup = Number(wArg), count = Number(nArg);
const bodies = JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[];

const target = new URL(url!);
if (target.hostname !== '127.0.0.1') throw new Error(`cds.load.ts posts to 127.0.0.1 only, not ${target.hostname}`);
const port = Number(target.port);
const connections = Array.from({ length: concurrency }, () => new RawHttpConnection(port));

/** One POST; resolves with the status and the whole answer, timed from send to its last byte. */
async function post(conn: RawHttpConnection, template: string): Promise<{ status: number; ms: number; body: string; bytes: number }> {
  const body = Buffer.from(template.replace('__HOOK_INSTANCE__', randomUUID()));
  const req = buildPost(port, target.pathname + target.search, body);
  const t0 = process.hrtime.bigint();
  const r = await conn.send(req);
  return { status: r.status, ms: Number(process.hrtime.bigint() - t0) / 1e6, body: r.body.toString('utf8'), bytes: body.length };
}

/** Sends `total` requests from `concurrency` clients; returns the latencies (ms) and wall time. */
async function phase(total: number, offset: number) {
  const latencies = new Float64Array(total);
  const statuses = new Map<string, number>();
  let next = 0;
  let firstError: string | undefined;
  let cards = 0;
  let requestBytes = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(connections.slice(0, Math.min(concurrency, total)).map(async (conn) => {
    for (let i = next++; i < total; i = next++) {
      const r = await post(conn, bodies[(offset + i) % bodies.length]!);
      latencies[i] = r.ms;
      requestBytes += r.bytes;
      let key = String(r.status);
      if (r.status === 200) {
        const parsed = JSON.parse(r.body) as { cards?: unknown[]; systemActions?: unknown[] };
        cards += parsed.cards?.length ?? 0;
        if (!parsed.systemActions?.length) key = '200 without systemActions';
      }
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (key !== '200' && firstError === undefined) firstError = `${key} ${r.body.slice(0, 300)}`;
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, statuses: Object.fromEntries(statuses), firstError, cards, requestBytes };
}

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: Float64Array, q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

await phase(warmup, 0);
const m = await phase(count, warmup);
const sorted = m.latencies.slice().sort();
console.log(JSON.stringify({
  concurrency, warmup, count, seconds: m.seconds, reqPerSec: count / m.seconds, cpuSeconds: m.cpuSeconds,
  p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), max: sorted[sorted.length - 1],
  mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, statuses: m.statuses, firstError: m.firstError,
  cardsPerRequest: m.cards / count, meanRequestKb: m.requestBytes / count / 1024,
}));
for (const c of connections) c.close();
