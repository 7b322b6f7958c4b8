/**
 * The feature store (issue 14, C8): feature groups with a versioned schema, ingestion (one record, a batch, an upload,
 * a dataset version as a job) validated whole before anything is stored, the offline history and online latest
 * value, point-in-time retrieval and "latest row per id" queries.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { isUniqueViolation } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';
import type { Job, JobQueue } from '../../jobs/types.ts';
import { batchRecords, csvRecords, type BatchFormat } from './input.ts';
import { FEATURES_INGEST_JOB, ingestDatasetJob, type IngestDatasetPayload } from './jobs.ts';
import { latestPerId, retrieveAsOf } from './query.ts';
import type { CreateGroupInput, FeatureGroup, FeatureRecord, IngestResult, LatestQuery, RetrieveOptions, RetrieveResult } from './schema.ts';
import { dbOnlineStore, type OnlineStore } from './online.ts';
import * as store from './store.ts';
import { checkEntities, checkGroup, checkRecords, checkSchemaChange } from './validate.ts';

/** What dataset ingestion reads (the datasets service satisfies it). */
export interface FeatureDatasetSource {
  getVersion(idOrName: string, version: number | 'latest'): Promise<{ version: number; format: string; status: string }>;
  openFile(idOrName: string, version: number | 'latest'): Promise<{ stream: Readable }>;
}

export interface FeatureServiceDeps {
  db: Kysely<Database>;
  /** For ingestion from a dataset version (the `features.ingest-dataset` job); optional in unit tests. */
  queue?: JobQueue;
  datasets?: FeatureDatasetSource;
  /** The online store (online.ts): the metadata DB's table by default, or Redis. */
  online?: OnlineStore;
  logger?: Logger;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

export function createFeatureService(deps: FeatureServiceDeps) {
  const { db } = deps;
  const onlineStore = deps.online ?? dbOnlineStore(db);

  async function group(nameOrId: string): Promise<FeatureGroup> {
    const g = await store.findGroup(db, nameOrId);
    if (!g) throw new AppError('FEATURE_GROUP_NOT_FOUND', `No feature group named "${nameOrId}". List them with GET /api/v1/feature-groups.`);
    return g;
  }

  async function write(g: FeatureGroup, records: unknown[], rows?: number[]): Promise<IngestResult> {
    if (records.length === 0) throw new AppError('FEATURE_RECORD_INVALID', 'The batch has no records. Nothing was stored.', { problems: [{ field: 'records', problem: 'is empty', fix: 'Send at least one record.' }] });
    const checked = checkRecords(g, records, rows);
    const appended = await store.appendRecords(db, g, checked, { online: onlineStore.inTransaction });
    const result = { group: g.name, written: checked.length, onlineUpdated: appended.onlineUpdated, schemaVersion: g.schemaVersion };
    if (onlineStore.inTransaction) return result;
    // After the offline commit only: the online store never holds a value the history lacks.
    try {
      return { ...result, onlineUpdated: await onlineStore.apply(g.id, appended.rows) };
    } catch (err) {
      deps.logger?.warn({ err, group: g.name }, 'features: records stored, but the online store did not take them; rebuild it');
      return { ...result, onlineStale: true as const };
    }
  }

  async function ingestDataset(payload: IngestDatasetPayload, signal?: AbortSignal): Promise<IngestResult & { dataset: string; version: number }> {
    if (!deps.datasets) throw new AppError('CONFLICT', 'Dataset ingestion is not available in this process.');
    const g = await group(payload.group);
    const v = await deps.datasets.getVersion(payload.dataset, payload.version ?? 'latest');
    if (v.status !== 'ready') throw new AppError('DATASET_NOT_READY', `Version ${v.version} of dataset "${payload.dataset}" is ${v.status}, not ready.`, { problems: [{ field: 'version', problem: `status is ${v.status}`, fix: 'Wait for its import to finish (or fix the file and upload it again), then retry.' }] });
    if (!['csv', 'tsv', 'jsonl'].includes(v.format)) {
      throw new AppError('FEATURE_RECORD_INVALID', `Dataset "${payload.dataset}" version ${v.version} is ${v.format}; feature records come from CSV, TSV or JSON Lines.`, { problems: [{ field: 'dataset', problem: `format ${v.format}`, fix: 'Upload the records as a CSV/TSV (header row = feature names) or JSON Lines dataset.' }] });
    }
    const text = await readAll((await deps.datasets.openFile(payload.dataset, v.version)).stream);
    signal?.throwIfAborted();
    const types = new Map(g.features.map((f) => [f.name, f.type]));
    const batch = v.format === 'jsonl' ? batchRecords(g, text, 'jsonl') : csvRecords(text, types, v.format === 'tsv' ? '\t' : ',');
    return { ...(await write(g, batch.records, batch.rows)), dataset: payload.dataset, version: v.version };
  }

  if (deps.queue) deps.queue.register(ingestDatasetJob({ ingest: ingestDataset }));

  return {
    async create(input: CreateGroupInput): Promise<FeatureGroup> {
      const features = checkGroup(input);
      try {
        await store.insertGroup(db, { name: input.name, description: input.description ?? '', recordIdentifierFeature: input.recordIdentifierFeature, eventTimeFeature: input.eventTimeFeature, features });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A feature group named "${input.name}" already exists.`, { problems: [{ field: 'name', problem: 'is taken', fix: 'Choose another name, or delete the existing group first.' }] });
        throw err;
      }
      return group(input.name);
    },
    list: async (): Promise<FeatureGroup[]> => store.listGroups(db),
    get: group,
    async remove(nameOrId: string): Promise<void> {
      const g = await group(nameOrId);
      await store.deleteGroup(db, g.id);
      await onlineStore.drop(g.id);
    },
    /** Adds features (a new schema version); existing features keep their names and types. */
    async addFeatures(nameOrId: string, features: CreateGroupInput['features']): Promise<FeatureGroup> {
      const g = await group(nameOrId);
      await store.addSchemaVersion(db, g, checkSchemaChange(g, features));
      return group(g.id);
    },
    /** Records as a parsed JSON body (one object, an array, {records}) or JSON Lines / CSV text; all-or-nothing. */
    async ingest(nameOrId: string, body: unknown, format: BatchFormat = 'json'): Promise<IngestResult> {
      const g = await group(nameOrId);
      const batch = batchRecords(g, body, format);
      return write(g, batch.records, batch.rows);
    },
    /** Queues the `features.ingest-dataset` job (a dataset version's CSV/TSV/JSON Lines rows as records). */
    async ingestDatasetJob(nameOrId: string, source: { dataset: string; version?: number }): Promise<{ job: Job }> {
      if (!deps.queue) throw new AppError('CONFLICT', 'Jobs are not available in this process.');
      const g = await group(nameOrId);
      return { job: await deps.queue.enqueue(FEATURES_INGEST_JOB, { group: g.name, dataset: source.dataset, ...(source.version ? { version: source.version } : {}) }) };
    },
    ingestDataset,
    /** The online store: the latest value of one record id. */
    async online(nameOrId: string, recordId: string): Promise<FeatureRecord> {
      const g = await group(nameOrId);
      const row = await onlineStore.get(g.id, recordId);
      if (!row) throw new AppError('FEATURE_RECORD_NOT_FOUND', `Feature group "${g.name}" has no record "${recordId}".`);
      return store.toRecord(row);
    },
    /** Rebuilds the group's online store from the offline history (after Redis lost its data, or `onlineStale`). */
    async rebuildOnline(nameOrId: string): Promise<{ group: string; store: 'db' | 'redis'; records: number }> {
      const g = await group(nameOrId);
      return { group: g.name, store: onlineStore.kind, records: await onlineStore.rebuild(g.id) };
    },
    close: () => onlineStore.close(),
    /** Every row ever written for one record id, oldest event first. */
    async history(nameOrId: string, recordId: string, limit = 1000): Promise<{ recordId: string; items: FeatureRecord[] }> {
      const g = await group(nameOrId);
      return { recordId, items: (await store.history(db, g.id, recordId, limit)).map(store.toRecord) };
    },
    /** Point-in-time retrieval: entity rows (JSON objects or CSV text) → feature values as of each timestamp. */
    async retrieve(nameOrId: string, entities: Record<string, unknown>[] | string, options: RetrieveOptions = {}): Promise<RetrieveResult> {
      const g = await group(nameOrId);
      const parsed = typeof entities === 'string' ? csvRecords(entities) : { records: entities, rows: undefined };
      const list = checkEntities(g, parsed.records as Record<string, unknown>[], parsed.rows);
      return retrieveAsOf(db, g, list, options);
    },
    /** The latest row per record id (optionally only rows matching `where`, as of a time), by record id. */
    async latest(nameOrId: string, query: LatestQuery = {}) {
      return latestPerId(db, await group(nameOrId), query);
    },
  };
}

export type FeatureService = ReturnType<typeof createFeatureService>;
