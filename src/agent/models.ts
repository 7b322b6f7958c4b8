/**
 * The agent's model: which version to run (long-polling GET /desired), downloading it (sha256 and size checked
 * against the deployment's; a mismatch is EDGE_MODEL_CHECKSUM_MISMATCH and the current model stays), and the swap:
 * the new session is loaded first, then switched in; the old one is disposed once the image it is on is done, so no
 * image is dropped or run on a half-loaded model. The last good model is remembered on disk: a restarted agent runs
 * offline on it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredModel } from '../domains/edge/protocol.ts';
import { AppError } from '../core/errors.ts';
import type { DeviceClient, Failure } from './client.ts';
import { openDetector, type Detector } from './detector.ts';

interface Saved { modelId: string; ref: string; sha256: string; feedbackThreshold: number }

export class ModelSlot {
  current: Detector | null = null;
  ref: string | null = null;
  feedbackThreshold = 0.7;
  modelError: { modelId: string; code: string; message: string } | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly dir: string;

  constructor(dataDir: string, private readonly threads: number) {
    this.dir = join(dataDir, 'models');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Loads the model the agent last ran (so it works offline from the start). */
  async restore(): Promise<void> {
    const file = join(this.dir, 'current.json');
    if (!existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
    this.feedbackThreshold = saved.feedbackThreshold;
    const path = join(this.dir, `${saved.modelId}.onnx`);
    if (existsSync(path) && sha256(readFileSync(path)) === saved.sha256) await this.swap(await openDetector(path, saved.modelId, this.threads), saved.ref);
  }

  /** Runs `fn` on the current model; a swap waits for it. */
  use<T>(fn: (d: Detector) => Promise<T>): Promise<T> {
    const d = this.current!;
    const p = fn(d);
    this.busy = p.catch(() => undefined);
    return p;
  }

  private async swap(next: Detector, ref: string): Promise<void> {
    const old = this.current;
    this.current = next; // images from now on run on the new session
    this.ref = ref;
    await this.busy; // the image on the old one finishes first
    if (old && old !== next) await old.dispose();
  }

  /** Downloads, verifies and switches to the desired model; throws a documented AppError (the current one stays). */
  async apply(desired: DesiredModel, client: DeviceClient): Promise<'unchanged' | 'switched'> {
    this.feedbackThreshold = desired.feedbackThreshold;
    const m = desired.model;
    if (!m || m.id === this.current?.modelId) {
      this.save();
      return 'unchanged';
    }
    // The id becomes a file name here: never trust a server (or a proxy) with a path.
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(m.id) || !/^[0-9a-f]{64}$/.test(m.sha256)) throw new AppError('EDGE_MODEL_LOAD_FAILED', `The server named a model id or sha256 that is not well-formed (${JSON.stringify(m.id).slice(0, 90)}); refused.`);
    const path = join(this.dir, `${m.id}.onnx`);
    if (!(existsSync(path) && sha256(readFileSync(path)) === m.sha256)) {
      const got = await client.call('GET', `/models/${encodeURIComponent(m.id)}`, undefined, 120_000);
      if (!got.ok) throw failureError(got.failure);
      const bytes = Buffer.from(await got.res.arrayBuffer());
      const actual = sha256(bytes);
      if (actual !== m.sha256 || bytes.length !== m.size) {
        throw new AppError('EDGE_MODEL_CHECKSUM_MISMATCH', `Model ${m.ref} (${m.id}) downloaded with sha256 ${actual.slice(0, 12)}… and ${bytes.length} bytes; the deployment says ${m.sha256.slice(0, 12)}… and ${m.size} bytes. Discarded; keeping ${this.ref ?? 'no model'}.`);
      }
      writeFileSync(`${path}.part`, bytes);
      renameSync(`${path}.part`, path);
    }
    let next: Detector;
    try {
      next = await openDetector(path, m.id, this.threads);
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    const previous = this.current?.modelId;
    await this.swap(next, m.ref);
    this.modelError = null;
    this.save();
    if (previous && previous !== m.id) rmSync(join(this.dir, `${previous}.onnx`), { force: true });
    return 'switched';
  }

  private save(): void {
    if (!this.current || !this.ref) return;
    const saved: Saved = { modelId: this.current.modelId, ref: this.ref, sha256: sha256(readFileSync(join(this.dir, `${this.current.modelId}.onnx`))), feedbackThreshold: this.feedbackThreshold };
    writeFileSync(join(this.dir, 'current.json.tmp'), JSON.stringify(saved));
    renameSync(join(this.dir, 'current.json.tmp'), join(this.dir, 'current.json'));
  }

  async close(): Promise<void> {
    await this.busy;
    await this.current?.dispose();
    this.current = null;
  }
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export class FailureError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}
const failureError = (f: Failure) => new FailureError(f);
