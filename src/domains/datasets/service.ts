/**
 * The datasets service: upload (stream → artifact store → `datasets.import` job), list, get,
 * preview, download and delete. Used by the HTTP routes and the CLI; registers the import job.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Config } from '../../core/config.ts';
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import { decodeCursor, toPage } from '../../storage/pagination.ts';
import type { Job, JobQueue } from '../../jobs/types.ts';
import { importJob, IMPORT_JOB, purgeVersion, versionPrefix } from './import-job.ts';
import { previewText } from './formats/index.ts';
import type { DatasetSchema, FormatOption, HeaderOption } from './formats/types.ts';
import { IMAGE_INDEX } from './formats/zip.ts';
import { formatOptionSchema, headerOptionSchema, type Dataset, type DatasetVersion, type DatasetWithVersions, type Page, type Preview, type VersionRef } from './schema.ts';
import { createDatasetStore, toDataset, toVersion, versionMeta, type DatasetRow, type VersionRow } from './store.ts';
import { storeUpload } from './upload.ts';
import { removeTempFiles } from './orphans.ts';
import { ownerIsDead, SELF_OWNER } from '../../jobs/owner.ts';
import { checkDatasetName, nameFromFileName, safeFileName } from './validate.ts';
import { previewImages } from './preview-images.ts';
import { createParseCache } from './parse-cache.ts';

export interface DatasetServiceDeps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
}

export interface UploadInput {
  /** The file's bytes; consumed to the end (or destroyed on error). */
  stream: Readable | AsyncIterable<Uint8Array>;
  /** The client's file name: its extension helps format detection; a safe version names the artifact. */
  fileName: string;
  /** Dataset name; default from the file name. An existing name adds a new version. */
  name?: string;
  description?: string;
  format?: FormatOption;
  header?: HeaderOption | boolean;
}

export interface UploadResult {
  dataset: Dataset;
  version: DatasetVersion;
  job: Job;
}

export interface OpenedFile {
  stream: Readable;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  'image-folder': 'application/zip',
  zip: 'application/zip',
};

/** Uploads stuck in `uploading` longer than this are leftovers of a crashed process. */
const STALE_UPLOAD_MS = 6 * 60 * 60 * 1000;

export function createDatasetService(deps: DatasetServiceDeps) {
  const { config, artifacts, queue } = deps;
  const store = createDatasetStore(deps.db);
  const parseCache = createParseCache();
  queue.register(importJob({ ...deps, store, parseCache }));

  function notFound(idOrName: string, version?: VersionRef): AppError {
    const what = version === undefined ? `No dataset "${idOrName}"` : `Dataset "${idOrName}" has no version ${version}`;
    return new AppError('DATASET_NOT_FOUND', `${what}.`, {
      problems: [{ field: version === undefined ? 'idOrName' : 'version', problem: 'not found', fix: 'List datasets with GET /api/v1/datasets (CLI: sagebrush datasets list) and use an existing id or name and version.' }],
    });
  }

  async function requireDataset(idOrName: string): Promise<DatasetRow> {
    const row = await store.findDataset(idOrName);
    if (!row) throw notFound(idOrName);
    return row;
  }

  /** An upload whose process died mid-stream: its temp file first (purge's listing skips temp files), then the version. */
  async function dropDeadUpload(row: VersionRow): Promise<number> {
    const temp = await removeTempFiles(artifacts, versionPrefix(row));
    await purgeVersion({ artifacts, store }, row);
    return temp;
  }

  /**
   * Drops `importing` versions whose job was cancelled or failed without cleaning up (e.g. cancelled while queued),
   * and `uploading` ones whose uploading process is provably dead (owner.ts), so neither is ever listed.
   */
  async function reconcile(rows: VersionRow[]): Promise<VersionRow[]> {
    const out: VersionRow[] = [];
    for (const row of rows) {
      const jobId = versionMeta(row).jobId;
      // `importing` without a job id: the process died between storing the file and enqueueing its import.
      if ((row.status === 'uploading' || (row.status === 'importing' && !jobId)) && ownerIsDead(versionMeta(row).uploadOwner)) {
        await dropDeadUpload(row);
        continue;
      }
      if (row.status === 'importing' && jobId) {
        const job = await queue.get(jobId).catch(() => undefined);
        if (!job || job.status === 'failed' || job.status === 'cancelled') {
          await purgeVersion({ artifacts, store }, row);
          continue;
        }
      }
      out.push(row);
    }
    return out;
  }

  async function resolveVersion(idOrName: string, ref: VersionRef): Promise<{ dataset: DatasetRow; row: VersionRow }> {
    const dataset = await requireDataset(idOrName);
    let n = ref;
    if (n === 'latest') {
      const versions = await store.listVersions(dataset.id);
      n = Number(dataset.latest_version) || Number(versions[versions.length - 1]?.version ?? 0);
    }
    const found = await store.versionByNumber(dataset.id, n);
    const [row] = found ? await reconcile([found]) : [];
    if (!row) throw notFound(idOrName, ref);
    return { dataset, row };
  }

  function requireReady(row: VersionRow, idOrName: string): void {
    if (row.status !== 'ready') {
      throw new AppError('DATASET_NOT_READY', `Version ${row.version} of "${idOrName}" is still ${row.status}.`, {
        problems: [{ field: 'version', problem: `status is ${row.status}`, fix: 'Wait for its import job to finish (GET /api/v1/jobs/{id}), then retry.' }],
        extra: { jobId: versionMeta(row).jobId },
      });
    }
  }

  return {
    async upload(input: UploadInput): Promise<UploadResult> {
      const format = parseOption(formatOptionSchema, input.format ?? 'auto', 'format');
      const header = parseOption(headerOptionSchema, typeof input.header === 'boolean' ? String(input.header) : (input.header ?? 'auto'), 'header');
      const fileName = (input.fileName.split(/[\\/]/).pop() ?? '').slice(0, 255) || 'upload';
      const name = checkDatasetName(input.name ?? nameFromFileName(fileName));
      const safe = safeFileName(fileName);
      const meta = { requestedFormat: format, header, ...(input.description !== undefined ? { description: input.description } : {}) };
      let reserved;
      try {
        // uploadOwner: lets a restart drop this version at once if the process dies mid-stream (recover()).
        reserved = await store.reserveVersion({ name, description: input.description, fileName, format, meta: { ...meta, uploadOwner: SELF_OWNER }, artifactKey: (id, n) => `datasets/${id}/v${n}/${safe}` });
      } catch (err) {
        destroyInput(input.stream);
        throw err;
      }
      const { version } = reserved;
      try {
        const { size, sha256 } = await storeUpload(artifacts, version.artifact_key, input.stream, config.maxUploadBytes, CONTENT_TYPES[format]);
        if (size === 0) {
          throw new AppError('FILE_EMPTY', `${fileName} is empty (0 bytes). Nothing was stored.`, {
            problems: [{ field: 'file', problem: 'the file has no content', fix: 'Upload a file with a header and data rows.' }],
          });
        }
        await store.updateVersion(version.id, { size_bytes: size, sha256, status: 'importing' });
        const job = await queue.enqueue(IMPORT_JOB, { datasetId: version.dataset_id, versionId: version.id });
        await store.updateVersion(version.id, { meta_json: JSON.stringify({ ...meta, jobId: job.id }) });
        const [dataset, row] = await Promise.all([store.findDataset(version.dataset_id), store.versionById(version.id)]);
        if (!dataset || !row) throw notFound(name);
        return { dataset: toDataset(dataset), version: toVersion(row), job };
      } catch (err) {
        destroyInput(input.stream);
        await purgeVersion({ artifacts, store }, version).catch((e) => deps.logger.error({ err: e }, 'could not clean up a failed upload'));
        throw err;
      }
    },

    /** Waits for an import job; returns the ready version or throws the job's error (same code and problems). */
    async waitForImport(jobId: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ dataset: Dataset; version: DatasetVersion }> {
      const job = await queue.wait(jobId, options);
      if (job.status === 'succeeded') {
        const result = await queue.result(jobId, IMPORT_JOB);
        const [dataset, row] = await Promise.all([store.findDataset(result.datasetId), store.versionById(result.versionId)]);
        if (!dataset || !row) throw notFound(result.datasetId, result.version);
        return { dataset: toDataset(dataset), version: toVersion(row) };
      }
      if (job.status === 'cancelled') throw new AppError('CONFLICT', `The import job ${jobId} was cancelled; the upload was discarded.`, { extra: { jobId } });
      const error = (job.error ?? { code: 'INTERNAL', message: 'The import failed' }) as { code: string; message: string; problems?: Problem[] };
      const code: ErrorCode = error.code in ERROR_CODES ? (error.code as ErrorCode) : 'INTERNAL';
      throw new AppError(code, error.message, { problems: error.problems, extra: { jobId } });
    },

    async list(query: { limit?: number; cursor?: string } = {}): Promise<Page<Dataset>> {
      const limit = Math.min(200, Math.max(1, query.limit ?? 50));
      return toPage(await store.listDatasets(limit, decodeCursor(query.cursor)), limit, (r) => r.id, toDataset);
    },

    async get(idOrName: string): Promise<DatasetWithVersions> {
      const dataset = await requireDataset(idOrName);
      const versions = await reconcile(await store.listVersions(dataset.id));
      if (versions.length === 0 && !(await store.findDataset(dataset.id))) throw notFound(idOrName);
      return { ...toDataset(dataset), versions: versions.map(toVersion) };
    },

    async getVersion(idOrName: string, version: VersionRef): Promise<DatasetVersion> {
      return toVersion((await resolveVersion(idOrName, version)).row);
    },

    async preview(idOrName: string, version: VersionRef, page: { offset?: number; limit?: number } = {}): Promise<Preview> {
      const { row } = await resolveVersion(idOrName, version);
      requireReady(row, idOrName);
      const offset = Math.max(0, page.offset ?? 0);
      const limit = Math.min(500, Math.max(1, page.limit ?? 50));
      const schema = JSON.parse(row.schema_json) as DatasetSchema;
      const total = Number(row.row_count);
      if (offset >= total) return { columns: columnsOf(schema), rows: [], offset, total };
      const rows =
        schema.format === 'image-folder'
          ? await previewImages(await artifacts.getStream(`${versionPrefix(row)}${schema.index ?? IMAGE_INDEX}`), offset, limit)
          : await previewText(await artifacts.getStream(row.artifact_key), schema, offset, limit);
      return { columns: columnsOf(schema), rows, offset, total };
    },

    async openFile(idOrName: string, version: VersionRef): Promise<OpenedFile> {
      const { row } = await resolveVersion(idOrName, version);
      if (row.status === 'uploading') requireReady(row, idOrName);
      const ext = /\.([a-z0-9]+)$/i.exec(row.file_name)?.[1]?.toLowerCase() ?? '';
      return {
        stream: await artifacts.getStream(row.artifact_key),
        fileName: row.file_name,
        sizeBytes: Number(row.size_bytes),
        sha256: row.sha256,
        contentType: CONTENT_TYPES[row.format] ?? CONTENT_TYPES[ext] ?? 'application/octet-stream',
      };
    },

    /** A recently imported comma-separated CSV's records (by file sha256) as a strict reader gets them (parse-cache.ts). */
    csvRecords(sha256: string): string[][] | undefined {
      return parseCache.get(sha256);
    },

    async delete(idOrName: string): Promise<void> {
      const dataset = await requireDataset(idOrName);
      for (const row of await store.listVersions(dataset.id)) {
        const jobId = versionMeta(row).jobId;
        if (row.status !== 'ready' && jobId) await queue.cancel(jobId).catch(() => undefined);
      }
      await store.deleteDataset(dataset.id);
      await artifacts.deletePrefix(`datasets/${dataset.id}/`);
    },

    /**
     * Start-up sweep (run after the job queue's): removes uploads whose process died (at once when it ran on this
     * host, after 6 h otherwise) with their temp files, and imports whose job failed, was cancelled or is gone.
     * Logs one line per kind it fixed.
     */
    async recover(): Promise<{ uploads: number; imports: number; tempFiles: number }> {
      const staleBefore = new Date(Date.now() - STALE_UPLOAD_MS).toISOString();
      const counts = { uploads: 0, imports: 0, tempFiles: 0 };
      for (const row of await store.staleVersions('uploading', new Date().toISOString())) {
        if (row.created_at >= staleBefore && !ownerIsDead(versionMeta(row).uploadOwner)) continue; // may still be streaming
        counts.tempFiles += await dropDeadUpload(row);
        counts.uploads++;
      }
      const importing = await store.staleVersions('importing', new Date().toISOString());
      counts.imports = importing.length - (await reconcile(importing)).length;
      if (counts.uploads > 0) deps.logger.warn(counts, `recovery: removed ${counts.uploads} interrupted upload(s) (version rows left "uploading") and ${counts.tempFiles} temp file(s)`);
      if (counts.imports > 0) deps.logger.warn(counts, `recovery: removed ${counts.imports} dataset version(s) whose import job failed, was cancelled or is gone`);
      return counts;
    },
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;

function columnsOf(schema: DatasetSchema): string[] {
  return schema.format === 'image-folder' ? ['path', 'label', 'bytes'] : schema.columns.map((c) => c.name);
}

function parseOption<T extends string>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: string, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new AppError('VALIDATION_FAILED', `Invalid ${field} "${value}".`, {
      problems: [{ field, problem: `"${value}" is not allowed`, fix: field === 'format' ? 'Use auto, csv, tsv, jsonl or zip.' : 'Use auto, true or false.' }],
    });
  }
  return r.data as T;
}

function destroyInput(stream: UploadInput['stream']): void {
  const s = stream as { destroy?: () => void };
  if (typeof s.destroy === 'function') s.destroy();
}
