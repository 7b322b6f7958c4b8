/**
 * The fine-tuning service: uploads, runs (validated before anything starts, then one `finetune.train` job per
 * attempt on the same run directory), their metrics series, checkpoints and logs, cancel, resume from the last
 * checkpoint, and export → LLM catalog → endpoint.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseWith } from '../../core/validate.ts';
import type { JobQueue, JobStatus } from '../../jobs/types.ts';
import type { Database } from '../../storage/schema.ts';
import { listCheckpoints } from './checkpoints.ts';
import { exportGguf, pickCheckpoint, type FinetuneCatalog } from './export.ts';
import { trainJob, type TrainResult } from './jobs.ts';
import { createLocalLauncher, createSlurmLauncher, type Launcher, type LauncherType, type SlurmLauncherOptions } from './launchers/index.ts';
import { readMetrics, series, SERIES_NAMES, summarize, type SeriesName, type SeriesPoint } from './metrics.ts';
import { inspect, launcherProblems, launchSpec, resolveInputs, runConfig, validateRun, writeRunConfig, type FinetuneSources } from './prepare.ts';
import { firstCodeError } from './errors.ts';
import { pythonInterpreter } from './python.ts';
import { finetuneSpecSchema, type FinetuneSpec } from './schema.ts';
import { createFinetuneStore, type FinetuneRunRow } from './store.ts';
import { createUploads } from './uploads.ts';

export interface FinetuneServiceDeps {
  db: Kysely<Database>;
  queue: JobQueue;
  /** Runs and uploads live under this folder (default <dataDir>/finetune). */
  root: string;
  sources: FinetuneSources;
  catalog: FinetuneCatalog;
  python?: string;
  launchers?: Partial<Record<LauncherType, Launcher>>;
  slurm?: SlurmLauncherOptions;
  /** inspect.py / train.py overrides (tests). */
  inspectScript?: string;
  stallMs?: number;
}

export interface FinetuneRunView {
  id: string;
  name: string;
  status: JobStatus | 'unknown';
  job: { id: string; status: JobStatus; progress: number; message: string; error: { code: string; message: string } | null } | null;
  launcher: string;
  launchId: string | null;
  spec: FinetuneSpec;
  model: FinetuneRunRow['inspection']['model'];
  data: { rows: number; trainRows: number | null; evalRows: number | null; tokens: number | null };
  summary: ReturnType<typeof summarize>;
  checkpoints: ReturnType<typeof listCheckpoints>;
  exported: { modelId: string | null; endpoint: string | null };
  createdAt: string;
  updatedAt: string;
}

export function createFinetuneService(deps: FinetuneServiceDeps) {
  const store = createFinetuneStore(deps.db);
  const uploads = createUploads(join(deps.root, 'uploads'));
  const python = deps.python ?? pythonInterpreter();
  const launchers: Record<LauncherType, Launcher> = { local: deps.launchers?.local ?? createLocalLauncher(), slurm: deps.launchers?.slurm ?? createSlurmLauncher(deps.slurm) };

  async function prepare(input: unknown, jobId?: string): Promise<{ row: FinetuneRunRow }> {
    const spec = parseWith(finetuneSpecSchema, input);
    const name = spec.name ?? `ft-${newId('r').slice(2, 14)}`;
    if (await store.find(name)) throw new AppError('ALREADY_EXISTS', `A fine-tuning run named "${name}" exists; pick another name.`, { problems: [{ field: 'name', problem: 'taken', fix: 'Use another name, or resume that run.' }] });
    const id = newId('ft');
    const runDir = join(deps.root, 'runs', id);
    mkdirSync(runDir, { recursive: true });
    try {
      const launcher = launchers[spec.launcher.type];
      const ls = launchSpec(id, runDir, spec, python);
      const allocation = launcherProblems(await launcher.check(ls));
      if (allocation.length) throw firstCodeError(allocation, 'The run cannot start here');
      const inputs = await resolveInputs(spec, runDir, deps.sources, uploads);
      const configPath = writeRunConfig(runDir, runConfig(spec, inputs, runDir));
      const inspection = await inspect(python, configPath, deps.inspectScript);
      await validateRun(spec, inspection, launcher, ls);
      const row = { id, name, jobId: jobId ?? null, spec: { ...spec, name }, inspection, runDir, launcher: spec.launcher.type };
      await store.insert(row);
      return { row: (await store.get(id)) };
    } catch (err) {
      rmSync(runDir, { recursive: true, force: true });
      throw err;
    }
  }

  async function view(row: FinetuneRunRow): Promise<FinetuneRunView> {
    const job = row.jobId ? await deps.queue.get(row.jobId).catch(() => null) : null;
    const d = row.inspection.data;
    return {
      id: row.id, name: row.name, status: job?.status ?? 'unknown', launcher: row.launcher, launchId: row.launchId, spec: row.spec,
      job: job ? { id: job.id, status: job.status, progress: job.progress, message: job.message, error: job.error ? { code: job.error.code, message: job.error.message } : null } : null,
      model: row.inspection.model, data: { rows: d.rows, trainRows: d.train_rows ?? null, evalRows: d.eval_rows ?? null, tokens: d.tokens ?? null },
      summary: summarize(readMetrics(join(row.runDir, 'metrics.jsonl'))), checkpoints: listCheckpoints(row.runDir),
      exported: { modelId: row.modelId, endpoint: row.endpoint }, createdAt: row.createdAt, updatedAt: row.updatedAt,
    };
  }

  async function exportRun(idOrName: string, options: { step?: number; name?: string; deploy?: string } = {}) {
    const row = await store.get(idOrName);
    const ckpt = pickCheckpoint(row.runDir, options.step);
    const base = JSON.parse(readFileSync(join(row.runDir, 'run.json'), 'utf8')) as { base: { path: string } };
    const gguf = await exportGguf(python, ckpt, base.base.path, row.runDir);
    const modelName = options.name ?? row.name;
    const model = await deps.catalog.register({ path: gguf.path, name: modelName, license: null, description: `fine-tuned by run ${row.name} (${row.spec.method}, step ${ckpt.step})` });
    await store.update(row.id, { modelId: model.id });
    let endpoint: string | null = null;
    if (options.deploy) {
      await deps.catalog.deploy(options.deploy, model.id);
      endpoint = options.deploy;
      await store.update(row.id, { endpoint });
    }
    return { run: row.id, checkpoint: { step: ckpt.step, path: ckpt.path }, gguf, model, endpoint };
  }

  deps.queue.register(trainJob({
    stallMs: deps.stallMs,
    async create(spec, jobId) {
      return (await prepare(spec, jobId)).row.id;
    },
    async launch(runId, onLine) {
      const row = await store.get(runId);
      const launcher = launchers[row.launcher as LauncherType];
      const handle = await launcher.launch(launchSpec(row.id, row.runDir, row.spec, python), { onLine });
      await store.update(row.id, { launchId: handle.id });
      return { handle, runDir: row.runDir, maxSteps: row.spec.hp.maxSteps, workers: row.spec.parallel.dataParallel, name: row.name };
    },
    async afterSuccess(runId, log) {
      const row = await store.get(runId);
      if (!row.spec.deploy && !row.spec.register) return { model: null, endpoint: null };
      const out = await exportRun(runId, { deploy: row.spec.deploy });
      await log(`exported step ${out.checkpoint.step} to ${out.gguf.path} (${out.gguf.bytes} bytes), registered ${out.model.name}:${out.model.version}${out.endpoint ? `, deployed on endpoint ${out.endpoint}` : ''}`);
      return { model: out.model, endpoint: out.endpoint };
    },
  }));

  return {
    async upload(fileName: string, stream: Readable) {
      const u = await uploads.save(fileName, stream);
      return { id: u.id, fileName: u.fileName, bytes: u.bytes, sha256: u.sha256 };
    },
    /** Validates everything, stores the run and enqueues its first job. */
    async create(input: unknown): Promise<FinetuneRunView> {
      const { row } = await prepare(input);
      const job = await deps.queue.enqueue('finetune.train', { runId: row.id });
      await store.update(row.id, { jobId: job.id });
      return view(await store.get(row.id));
    },
    async list(q: { limit?: number; cursor?: string } = {}) {
      const page = await store.list(q);
      return { items: await Promise.all(page.items.map(view)), nextCursor: page.nextCursor };
    },
    async get(idOrName: string) {
      return view(await store.get(idOrName));
    },
    async series(idOrName: string, names: readonly SeriesName[] = SERIES_NAMES): Promise<Record<string, SeriesPoint[]>> {
      const row = await store.get(idOrName);
      const events = readMetrics(join(row.runDir, 'metrics.jsonl'));
      return Object.fromEntries(names.map((n) => [n, series(events, n)]));
    },
    async logs(idOrName: string, after?: number) {
      const row = await store.get(idOrName);
      return row.jobId ? deps.queue.logs(row.jobId, { after }) : [];
    },
    async cancel(idOrName: string) {
      const row = await store.get(idOrName);
      if (!row.jobId) throw new AppError('CONFLICT', `Run ${row.name} has no job.`);
      await deps.queue.cancel(row.jobId);
      return view(await store.get(row.id));
    },
    /** A new job on the same run directory: the trainer continues from `checkpoints/latest`. */
    async resume(idOrName: string) {
      const row = await store.get(idOrName);
      const current = row.jobId ? await deps.queue.get(row.jobId).catch(() => null) : null;
      if (current && (current.status === 'queued' || current.status === 'running')) throw new AppError('CONFLICT', `Run ${row.name} is ${current.status}; cancel it before resuming.`, { problems: [{ field: 'run', problem: `job ${current.id} is ${current.status}`, fix: `sagebrush finetune cancel ${row.name}` }] });
      const job = await deps.queue.enqueue('finetune.train', { runId: row.id });
      await store.update(row.id, { jobId: job.id });
      return view(await store.get(row.id));
    },
    async wait(idOrName: string, timeoutMs?: number) {
      const row = await store.get(idOrName);
      if (row.jobId) await deps.queue.wait(row.jobId, { timeoutMs });
      return view(await store.get(row.id));
    },
    async result(idOrName: string): Promise<TrainResult> {
      const row = await store.get(idOrName);
      return deps.queue.result(row.jobId!, 'finetune.train');
    },
    export: exportRun,
  };
}

export type FinetuneService = ReturnType<typeof createFinetuneService>;
