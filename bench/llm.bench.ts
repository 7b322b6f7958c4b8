/**
 * LLM endpoints (C4): generation speed through a Sagebrush endpoint over HTTP on 127.0.0.1 against
 * node-llama-cpp called directly on the same GGUF in the same run (same tokens, threads, context, greedy),
 * time to first token, and behaviour under concurrent load with a small queue (how many 429s, no crash).
 * Rounds are interleaved (direct, JSON, SSE, OpenAI SSE, …) and medians reported, so background load
 * hits every path alike.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import type { BenchOptions, BenchResult } from './run.ts';

export const name = 'llm';
export const title = 'LLM endpoints: generation through the endpoint vs node-llama-cpp directly, time to first token, concurrency';

const GGUF = join(import.meta.dirname, '..', '..', 'shared', 'data', 'llm-tiny', 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const THREADS = 1;
const CONTEXT = 512;

interface Sample {
  tokens: number;
  seconds: number;
  ttft: number | null;
  /** CPU time the serving process spent on the request (server process, or the direct peer's process). */
  cpuMs?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A light HTTP client (node:http, keep-alive) for the timed requests: less client CPU than fetch on a busy machine. */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function httpPost(port: number, path: string, body: unknown, onEvent?: (data: any) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      let buf = '';
      res.on('data', (chunk: string) => {
        if (!onEvent) {
          text += chunk;
          return;
        }
        buf += chunk;
        let k: number;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const line = buf.slice(0, k);
          buf = buf.slice(k + 2);
          if (line.startsWith('data: ') && line !== 'data: [DONE]') onEvent(JSON.parse(line.slice(6)));
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  if (!existsSync(GGUF)) return { markdown: `Skipped: ${GGUF} is absent.`, summary: { skipped: true } };
  const maxNew = options.smoke ? 24 : 256;
  const rounds = options.smoke ? 2 : 40;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-llm-'));
  const server = await startServer(dir);
  const base = `http://127.0.0.1:${server.port}`;
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    expectOk(await post('/api/v1/llm/models', { path: GGUF, name: 'stories', license: 'mit' }));
    expectOk(await post('/api/v1/endpoints', { name: 'bench', model: 'stories', config: { threads: THREADS, contextSize: CONTEXT, maxQueue: 16 } }));

    // The peer: node-llama-cpp on its own model load in its own process, same settings and prompt tokens.
    const direct = await startDirect();
    const paths: Record<string, () => Promise<Sample>> = {
      'node-llama-cpp direct (LlamaCompletion, own process)': () => direct.run(maxNew),
      'node-llama-cpp direct, text streamed (onTextChunk)': () => direct.run(maxNew, true),
      'Sagebrush TGI /invocations (JSON)': async () => {
        const t0 = performance.now();
        const res = await httpPost(server.port, '/api/v1/endpoints/bench/invocations', { inputs: PROMPT, parameters: { max_new_tokens: maxNew, details: true } });
        const body = JSON.parse(res.text) as Array<{ details: { generated_tokens: number } }>;
        return { tokens: body[0]!.details.generated_tokens, seconds: (performance.now() - t0) / 1000, ttft: null };
      },
      'Sagebrush TGI /invocations stream (SSE)': async () => {
        const t0 = performance.now();
        let first: number | null = null;
        let tokens = 0;
        await httpPost(server.port, '/api/v1/endpoints/bench/invocations', { inputs: PROMPT, parameters: { max_new_tokens: maxNew }, stream: true }, (d) => {
          if (d.generated_text === null) first ??= performance.now();
          else tokens = d.details.generated_tokens;
        });
        return { tokens, seconds: (performance.now() - t0) / 1000, ttft: first === null ? null : (first - t0) / 1000 };
      },
      'Sagebrush OpenAI /v1/completions stream (SSE)': async () => {
        const t0 = performance.now();
        let first: number | null = null;
        let tokens = 0;
        await httpPost(server.port, '/v1/completions', { model: 'bench', prompt: PROMPT, max_tokens: maxNew, temperature: 0, stream: true }, (d) => {
          if (d.usage) tokens = d.usage.completion_tokens;
          else first ??= performance.now();
        });
        return { tokens, seconds: (performance.now() - t0) / 1000, ttft: first === null ? null : (first - t0) / 1000 };
      },
    };

    // HTTP paths: the server process's CPU time for the request (asked before and after; the server is otherwise idle).
    for (const k of Object.keys(paths).slice(2)) {
      const f = paths[k]!;
      paths[k] = async () => {
        const c0 = await server.cpuMs();
        const s = await f();
        return { ...s, cpuMs: (await server.cpuMs()) - c0 };
      };
    }

    // Warm-up (first-call costs), then interleaved rounds.
    for (const f of Object.values(paths)) await f();
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
    // The order rotates each round so no path always runs first (after the client's pause) or last.
    const entries = Object.entries(paths);
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < entries.length; j++) {
        const [k, f] = entries[(j + r) % entries.length]!;
        samples[k]!.push(await f());
      }
    }

    // Paired comparison: each endpoint run against the direct run of the same round, so load drifts cancel.
    // JSON answers compare with plain direct generation; streamed answers with direct generation that streams text.
    const keys = Object.keys(samples);
    const baselineOf = (k: string) => (/stream/.test(k) ? keys[1]! : keys[0]!);
    const tps = (x: Sample) => x.tokens / x.seconds;
    const rows = keys.map((k, idx) => {
      const s = samples[k]!;
      const base = samples[baselineOf(k)]!;
      const ratios = s.map((x, i) => tps(x) / tps(base[i]!));
      const cpu = median(s.map((x) => x.cpuMs ?? NaN));
      const baseCpu = median(base.map((x) => x.cpuMs ?? NaN));
      return {
        path: k,
        direct: idx < 2,
        baseline: idx < 2 ? null : baselineOf(k) === keys[0] ? 'direct' : 'direct, streamed',
        tokens: median(s.map((x) => x.tokens)),
        best: Math.max(...s.map(tps)),
        medianTps: median(s.map(tps)),
        pairedPct: (median(ratios) - 1) * 100,
        cpuMs: cpu,
        cpuPct: ((cpu - baseCpu) / baseCpu) * 100,
        ttft: s.some((x) => x.ttft !== null) ? median(s.filter((x) => x.ttft !== null).map((x) => x.ttft! * 1000)) : null,
      };
    });
    const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
    const speed = [
      '| path | tokens generated | tokens/s (median) | tokens/s (best) | compared with | speed (median of paired rounds) | CPU ms per request (median) | CPU | time to first token (median) |',
      '|---|---:|---:|---:|---|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.path} | ${r.tokens} | ${r.medianTps.toFixed(1)} | ${r.best.toFixed(1)} | ${r.baseline ?? '—'} | ${r.direct ? '—' : sign(r.pairedPct)} | ${r.cpuMs.toFixed(0)} | ${r.direct ? '—' : sign(r.cpuPct)} | ${r.ttft === null ? 'n/a (not streamed)' : `${r.ttft.toFixed(1)} ms`} |`,
      ),
    ];
    await direct.stop();

    // Concurrency: 8 requests at once on a queue of 2, then on a queue of 16.
    const concurrency: string[] = ['| endpoint queue (maxQueue) | requests at once | 200 | 429 (with Retry-After) | other | wall time | mean latency of 200s | healthy afterwards |', '|---|---:|---:|---:|---:|---:|---:|---|'];
    const conc: Record<string, unknown> = {};
    for (const maxQueue of [2, 16]) {
      const ep = `conc${maxQueue}`;
      expectOk(await post('/api/v1/endpoints', { name: ep, model: 'stories', config: { threads: THREADS, contextSize: CONTEXT, maxQueue } }));
      const n = 8;
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: n }, async () => {
          const s = performance.now();
          const res = await post(`/api/v1/endpoints/${ep}/invocations`, { inputs: PROMPT, parameters: { max_new_tokens: options.smoke ? 16 : 64 } });
          await res.arrayBuffer();
          return { status: res.status, retryAfter: res.headers.get('retry-after'), seconds: (performance.now() - s) / 1000 };
        }),
      );
      const wall = (performance.now() - t0) / 1000;
      const ok = results.filter((r) => r.status === 200);
      const limited = results.filter((r) => r.status === 429 && r.retryAfter !== null);
      const other = n - ok.length - limited.length;
      const health = await fetch(`${base}/healthz`);
      const after = await post(`/api/v1/endpoints/${ep}/invocations`, { inputs: PROMPT, parameters: { max_new_tokens: 4 } });
      const healthy = health.ok && after.ok;
      concurrency.push(`| ${maxQueue} | ${n} | ${ok.length} | ${limited.length} | ${other} | ${wall.toFixed(2)} s | ${(ok.reduce((a, r) => a + r.seconds, 0) / Math.max(1, ok.length)).toFixed(2)} s | ${healthy ? 'yes' : 'NO'} |`);
      conc[`queue${maxQueue}`] = { ok: ok.length, limited: limited.length, other, healthy };
    }

    const endpointRows = rows.filter((r) => !r.direct);
    const overhead = endpointRows.map((r) => -r.pairedPct);
    const cpuOverhead = endpointRows.map((r) => r.cpuPct);
    const markdown = [
      `Model: stories260K (GGUF, F32, 293K parameters — tiny, so per-request overhead weighs more than it would on a real model); ${THREADS} thread, context ${CONTEXT}, greedy, prompt "${PROMPT}", ${maxNew} new tokens; ${rounds} interleaved rounds after a warm-up. The server and the direct peer each run in their own process; HTTP paths are timed by the client from sending the request to the last byte, direct around \`generateCompletionWithMeta\`. Overhead is the median over rounds of each path's speed relative to the direct run of the same round (paired, so the machine's changing load cancels): JSON answers against plain direct generation, streamed answers against direct generation that streams its text through \`onTextChunk\` (a detokenize per token, which any streaming server pays).`,
      '',
      ...speed,
      '',
      `Overhead of the endpoint vs node-llama-cpp direct — wall-clock speed (median of per-round ratios): ${endpointRows.map((r, i) => `${r.path.replace('Sagebrush ', '')} ${overhead[i]!.toFixed(1)} %`).join('; ')}; CPU time of the serving process: ${endpointRows.map((r, i) => `${r.path.replace('Sagebrush ', '')} ${cpuOverhead[i]!.toFixed(1)} %`).join('; ')} (target ≤ 5 %; negative = less than direct). On a shared 2-core machine wall-clock speeds swing by tens of percent between runs; CPU time is the steadier measure of what the endpoint adds.`,
      '',
      'Concurrency (one generation at a time per endpoint; the rest wait in its bounded queue, one more gets 429 + Retry-After):',
      '',
      ...concurrency,
    ].join('\n');
    return { markdown, summary: { directTokensPerSecond: rows[0]!.medianTps, endpoint: endpointRows.map((r) => ({ path: r.path, medianTps: r.medianTps, bestTps: r.best, ttftMs: r.ttft, overheadPct: -r.pairedPct, cpuOverheadPct: r.cpuPct })), concurrency: conc } };
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** bench/llm.direct.ts in a child process, loaded and ready. */
async function startDirect(): Promise<{ run(maxNew: number, stream?: boolean): Promise<Sample>; stop(): Promise<void> }> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'llm.direct.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const next = () =>
    new Promise<any>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the direct peer exited (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  const ready = next();
  child.send({ gguf: GGUF, threads: THREADS, contextSize: CONTEXT, prompt: PROMPT });
  await ready;
  return {
    async run(maxNew, stream = false) {
      const answer = next();
      child.send({ maxNew, stream });
      return (await answer) as Sample;
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ quit: true });
      await exited;
    },
  };
}

/** bench/llm.server.ts in a child process: the server does not share the client's event loop. */
async function startServer(dataDir: string): Promise<{ port: number; cpuMs(): Promise<number>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'llm.server.ts'), dataDir], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let cpuWaiter: ((ms: number) => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { port?: number; cpuMs?: number };
        if (typeof msg.port === 'number') {
          clearTimeout(timer);
          resolve(msg.port);
        }
        if (typeof msg.cpuMs === 'number' && cpuWaiter) {
          const w = cpuWaiter;
          cpuWaiter = null;
          w(msg.cpuMs);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited (code ${code}) before listening`)));
  });
  return {
    port,
    cpuMs: () =>
      new Promise<number>((resolve) => {
        cpuWaiter = resolve;
        child.stdin!.write('cpu\n');
      }),
    async stop() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function expectOk(res: Response): void {
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${res.url}`);
}
