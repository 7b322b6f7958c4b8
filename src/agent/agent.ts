/**
 * The edge agent (`sagebrush agent`): watches a folder, runs the fleet's detector on each new image, keeps every
 * result, heartbeat and low-confidence image in an on-disk outbox until the server acknowledged it, and follows the
 * model deployed to it. Offline first: no server error stops inference; sync retries with backoff and jitter.
 * Exactly once: each image's result id is derived from the device, the file name and its bytes, so re-processing an
 * image after a crash rewrites the same outbox item, and the server stores each id once.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DesiredModel, EdgeResult, Heartbeat } from '../domains/edge/protocol.ts';
import { DeviceClient } from './client.ts';
import { decodeRgb } from './detector.ts';
import { backoffMs, sleep, stderrLog, type AgentLog } from './log.ts';
import { FailureError, ModelSlot, sha256 } from './models.ts';
import { Outbox } from './outbox.ts';
import { createSync } from './sync.ts';
import { KeepNewest } from './keepNewest.ts';
import { annotate, listen } from './local.ts';

export interface AgentOptions {
  server: string;
  token: string;
  watch: string;
  data: string;
  device?: string;
  pollMs?: number;
  heartbeatMs?: number;
  maxQueueBytes?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  longPollSeconds?: number;
  modelRetryMs?: number;
  threads?: number;
  /** How many processed (and rejected, annotated) images to keep on disk; older ones are deleted (default 1000). */
  keepProcessed?: number;
  /** Also write `<data>/annotated/<image>.jpg` with the boxes drawn. */
  annotate?: boolean;
  /** Serve POST /infer (image bytes → result) and GET /status on 127.0.0.1:<port> (0: any free port). */
  listen?: number;
  log?: AgentLog;
}

export interface AgentHandle {
  /** The local HTTP address when `listen` was given. */
  url?: string;
  stop(): Promise<void>;
  status(): AgentStatus;
}

export interface AgentStatus {
  device: string;
  modelId: string | null;
  model: string | null;
  inferences: number;
  queue: { bytes: number; depth: number };
  lastError: { code: string; message: string } | null;
  warnings: string[];
}

export async function startAgent(o: AgentOptions): Promise<AgentHandle> {
  const device = o.device ?? hostname();
  const log = o.log ?? stderrLog(device);
  const opt = { pollMs: 200, heartbeatMs: 5000, maxQueueBytes: 512 * 1024 * 1024, baseBackoffMs: 500, maxBackoffMs: 30_000, longPollSeconds: 20, modelRetryMs: 10_000, threads: 1, keepProcessed: 1000, ...o };
  for (const d of ['processed', 'rejected', ...(o.annotate ? ['annotated'] : [])]) mkdirSync(join(o.data, d), { recursive: true });
  mkdirSync(o.watch, { recursive: true });
  const outbox = new Outbox(join(o.data, 'outbox'));
  const models = new ModelSlot(o.data, opt.threads);
  const client = new DeviceClient(o.server, o.token);
  const stopper = new AbortController();
  const signal = stopper.signal;
  const state = { inferences: 0, recent: [] as number[], lastError: null as { code: string; message: string } | null, overCap: false };
  const kept = new KeepNewest(opt.keepProcessed);
  const sync = createSync({ outbox, client, log, signal, ...opt, onError: (e) => setError(e) });

  function setError(e: { code: string; message: string } | null): void {
    if (e && (e.code !== state.lastError?.code)) log(e.code === 'EDGE_SERVER_UNREACHABLE' ? 'warn' : 'error', e.message, { code: e.code });
    if (!e && state.lastError) log('info', 'server reachable again', { previous: state.lastError.code });
    state.lastError = e;
  }

  function warnings(): string[] {
    const w: string[] = [];
    const { bytes } = outbox.size;
    const over = bytes > opt.maxQueueBytes;
    if (over !== state.overCap) {
      state.overCap = over;
      if (over) log('warn', `The on-disk queue holds ${(bytes / 1e6).toFixed(1)} MB, over its cap of ${(opt.maxQueueBytes / 1e6).toFixed(1)} MB: low-confidence images are no longer queued (results still are) until it drains.`, { code: 'EDGE_QUEUE_FULL' });
    }
    if (over) w.push(`EDGE_QUEUE_FULL: queue ${(bytes / 1e6).toFixed(1)} MB over cap ${(opt.maxQueueBytes / 1e6).toFixed(1)} MB`);
    if (state.lastError && state.lastError.code !== 'EDGE_SERVER_UNREACHABLE') w.push(`${state.lastError.code}: ${state.lastError.message}`.slice(0, 500));
    return w;
  }

  function heartbeat(): void {
    const now = Date.now();
    state.recent = state.recent.filter((t) => t > now - 60_000);
    const q = outbox.size;
    const hb: Heartbeat = {
      sentAt: new Date().toISOString(), modelId: models.current?.modelId ?? null, modelError: models.modelError,
      inferenceRate: state.recent.length / 60, inferences: state.inferences, queueDepth: q.depth, queueBytes: q.bytes, diskBytes: q.bytes + dirBytes(join(o.data, 'models')), warnings: warnings(),
    };
    outbox.put('heartbeats', `hb${now}`, hb);
    outbox.trimHeartbeats(100);
    writeFileSync(join(o.data, 'status.json.tmp'), JSON.stringify(status()));
    renameSync(join(o.data, 'status.json.tmp'), join(o.data, 'status.json'));
    sync.kick();
  }

  const status = (): AgentStatus => ({ device, modelId: models.current?.modelId ?? null, model: models.ref, inferences: state.inferences, queue: outbox.size, lastError: state.lastError, warnings: warnings() });

  /** One image (from the folder or an HTTP POST): infer, queue its result (and it as feedback when low-confidence). */
  async function infer(name: string, bytes: Buffer, capturedAt: string): Promise<EdgeResult> {
    const id = sha256(Buffer.from(`${device}\0${name}\0${sha256(bytes)}`)).slice(0, 40);
    const base = { id, image: name, modelId: models.current?.modelId ?? null, capturedAt };
    let result: EdgeResult;
    try {
      const rgb = await decodeRgb(bytes, name);
      const t0 = performance.now();
      const dets = await models.use((d) => d.detect(rgb));
      const latencyMs = performance.now() - t0;
      if (o.annotate) {
        await annotate(join(o.data, 'annotated', `${id.slice(0, 8)}-${name.replace(/\.[^.]*$/, '')}.jpg`), rgb, dets, models.current?.classes ?? []);
        kept.added(join(o.data, 'annotated'));
      }
      const threshold = models.feedbackThreshold;
      const lowConfidence = !dets.some((d) => d.score >= threshold);
      result = { ...base, latencyMs, detections: dets, lowConfidence, error: null };
      if (lowConfidence) {
        if (state.overCap) log('warn', `${name}: low confidence but the queue is over its cap; not queued for labeling`, { code: 'EDGE_QUEUE_FULL' });
        else outbox.put('feedback', `${id}-fb`, { image: name, modelId: base.modelId, maxScore: Math.max(0, ...dets.map((d) => d.score)), capturedAt: base.capturedAt, data: bytes.toString('base64') });
      }
    } catch (err) {
      const e = err as { code?: string; message: string };
      const code = e.code === 'EDGE_IMAGE_UNREADABLE' ? e.code : 'EDGE_INFERENCE_FAILED';
      log('warn', e.message, { code, image: name });
      result = { ...base, latencyMs: null, detections: [], lowConfidence: false, error: { code, message: e.message.slice(0, 2000) } };
    }
    outbox.put('results', id, result);
    appendFileSync(join(o.data, 'results.jsonl'), `${JSON.stringify(result)}\n`);
    state.inferences++;
    state.recent.push(Date.now());
    return result;
  }

  async function process1(name: string): Promise<void> {
    const src = join(o.watch, name);
    let bytes: Buffer;
    let capturedAt: string;
    try {
      bytes = readFileSync(src);
      capturedAt = new Date(statSync(src).mtimeMs).toISOString();
    } catch {
      return; // gone already
    }
    const result = await infer(name, bytes, capturedAt);
    const dest = result.error?.code === 'EDGE_IMAGE_UNREADABLE' ? 'rejected' : 'processed';
    renameSync(src, join(o.data, dest, `${result.id.slice(0, 8)}-${name}`));
    kept.added(join(o.data, dest));
  }

  /** New files are taken once their size stopped changing between two polls (a writer may still be copying). */
  async function watchLoop(): Promise<void> {
    const seen = new Map<string, number>();
    while (!signal.aborted) {
      if (models.current) {
        let processed = 0;
        let names: string[] = [];
        try {
          names = readdirSync(o.watch).filter((n) => !n.startsWith('.') && !/\.(tmp|part)$/i.test(n)).sort();
        } catch (err) {
          log('error', `cannot read the watched folder: ${(err as Error).message}`);
        }
        for (const name of names) {
          if (signal.aborted) break;
          let size: number;
          try {
            const st = statSync(join(o.watch, name));
            if (!st.isFile()) continue;
            size = st.size;
          } catch {
            continue;
          }
          if (seen.get(name) !== size) {
            seen.set(name, size);
            continue;
          }
          seen.delete(name);
          try {
            await process1(name);
            processed++;
          } catch (err) {
            log('error', `could not process ${name}: ${(err as Error).message}`);
          }
        }
        // Sync once per pass, not per image: during a burst the uploads do not compete with inference image by image.
        if (processed > 0) sync.kick();
        // Bounded disk: the newest `keepProcessed` processed/rejected/annotated images stay.
        if (processed > 0) kept.prune();
      }
      await sleep(opt.pollMs, signal);
    }
  }

  async function modelLoop(): Promise<void> {
    let attempt = 0;
    const failed = new Map<string, number>();
    while (!signal.aborted) {
      const current = models.current?.modelId ?? '';
      const r = await client.call('GET', `/desired?current=${encodeURIComponent(current)}&wait=${opt.longPollSeconds}`, undefined, (opt.longPollSeconds + 10) * 1000);
      if (!r.ok) {
        setError(r.failure);
        await sleep(backoffMs(attempt++, opt.baseBackoffMs, opt.maxBackoffMs), signal);
        continue;
      }
      attempt = 0;
      if (state.lastError) setError(null);
      const desired = (await r.res.json()) as DesiredModel;
      const retryAt = desired.model ? (failed.get(desired.model.id) ?? 0) : 0;
      if (retryAt > Date.now()) {
        models.feedbackThreshold = desired.feedbackThreshold;
        await sleep(Math.min(retryAt - Date.now(), 2000), signal);
        continue;
      }
      try {
        if ((await models.apply(desired, client)) === 'switched') log('info', `switched to model ${desired.model!.ref}${desired.model!.canary ? ' (canary)' : ''}`, { modelId: desired.model!.id });
      } catch (err) {
        if (err instanceof FailureError) {
          setError(err.failure);
          await sleep(backoffMs(attempt++, opt.baseBackoffMs, opt.maxBackoffMs), signal);
          continue;
        }
        const e = err as { code?: string; message: string };
        models.modelError = { modelId: desired.model!.id, code: e.code ?? 'EDGE_MODEL_LOAD_FAILED', message: e.message.slice(0, 2000) };
        failed.set(desired.model!.id, Date.now() + opt.modelRetryMs);
        log('error', e.message, { code: models.modelError.code, modelId: desired.model!.id });
        heartbeat(); // tell the server now: a canary that cannot be taken is rolled back
      }
    }
  }

  await models.restore().catch((err) => log('warn', `could not restore the last model: ${(err as Error).message}`));
  if (models.current) log('info', `running model ${models.ref} from disk`);
  const loops = [watchLoop(), modelLoop(), sync.loop(), (async () => {
    while (!signal.aborted) {
      heartbeat();
      await sleep(opt.heartbeatMs, signal);
    }
  })()];
  const http = o.listen === undefined ? undefined : await listen(o.listen, { infer: async (name, bytes) => { if (!models.current) return undefined; const r = await infer(name, bytes, new Date().toISOString()); kept.prune(); sync.kick(); return r; }, status });
  log('info', `agent started: watching ${o.watch}, server ${o.server}${http ? `, POST images to ${http.url}/infer` : ''}`);
  return {
    status,
    url: http?.url,
    async stop() {
      stopper.abort();
      await http?.close();
      await Promise.allSettled(loops);
      await models.close();
    },
  };
}

function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}
