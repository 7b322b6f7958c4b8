/** /api/v1/feature-groups: groups, records (online, history), ingestion, point-in-time retrieval, latest per id. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart, uploadToBuffer, type MultipartSpec } from '../../core/http/multipart.ts';
import { parseWith } from '../../core/validate.ts';
import { tooDeep, type BatchFormat } from './input.ts';
import { createGroupSchema, ingestDatasetSchema, latestQuerySchema, retrieveBodySchema, updateSchemaBody } from './schema.ts';
import type { FeatureService } from './service.ts';

/** What the feature-store routes use. */
export interface FeatureRouteDeps {
  features: FeatureService;
  /** Body limit of record batches and entity lists (bytes). */
  maxUploadBytes: number;
}

const tags = { tags: ['features'] };
const nameParams = z.object({ name: z.string().min(1).max(200) });
const recordParams = nameParams.extend({ recordId: z.string().min(1).max(1000) });
const TEXT_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain'];

function formatOf(contentType: string | undefined): BatchFormat {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return t === 'text/csv' ? 'csv' : t === 'application/json' || t === '' ? 'json' : 'jsonl';
}

/** A multipart upload's fields and file text; the format from the file name (.csv, .jsonl/.ndjson, .json). */
async function uploaded(req: FastifyRequest, spec: MultipartSpec, code: 'FEATURE_RECORD_INVALID' | 'FEATURE_ENTITIES_INVALID'): Promise<{ fields: Record<string, string>; body: unknown; format: BatchFormat }> {
  const { fields, file } = await readMultipart(req, spec);
  const fileName = file!.fileName;
  const text = (await consumeUpload(file!, uploadToBuffer)).toString('utf8');
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (ext !== 'json') return { fields, body: text, format: ext === 'csv' ? 'csv' : ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : 'json' };
  if (tooDeep(text)) throw new AppError(code, `${fileName} nests arrays/objects too deeply.`, { problems: [{ field: 'file', problem: 'nested too deeply', fix: 'Keep records within 256 levels of nesting.' }] });
  try {
    return { fields, body: JSON.parse(text) as unknown, format: 'json' };
  } catch (err) {
    throw new AppError(code, `${fileName} is not valid JSON: ${(err as Error).message}.`, { problems: [{ field: 'file', problem: 'not valid JSON', fix: 'Upload valid JSON, JSON Lines (.jsonl) or CSV (.csv).' }] });
  }
}

export async function featureRoutes(app: FastifyInstance, deps: FeatureRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    // Batches may come as CSV or JSON Lines text; the parser is scoped to these routes.
    scope.addContentTypeParser(TEXT_TYPES, { parseAs: 'string', bodyLimit: deps.maxUploadBytes }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const { features } = deps;
    const big = { bodyLimit: deps.maxUploadBytes };
    const recordsForm: MultipartSpec = { maxBytes: deps.maxUploadBytes, fields: [], defaultFileName: 'records.json', noun: 'records file' };
    const entitiesForm: MultipartSpec = { maxBytes: deps.maxUploadBytes, fields: ['features', 'ttlSeconds'], defaultFileName: 'entities.csv', noun: 'entity list' };

    r.get('/feature-groups', { schema: { ...tags, summary: 'List feature groups' } }, async () => ({ items: await features.list() }));
    r.post('/feature-groups', { schema: { ...tags, summary: 'Create a feature group: record identifier, event time and typed features (string, integer, double, boolean, json)', body: createGroupSchema } }, async (req, reply) =>
      reply.status(201).send(await features.create(req.body)),
    );
    r.get('/feature-groups/:name', { schema: { ...tags, summary: 'One feature group with every schema version', params: nameParams } }, async (req) => features.get(req.params.name));
    r.delete('/feature-groups/:name', { schema: { ...tags, summary: 'Delete a feature group with its offline and online records', params: nameParams } }, async (req, reply) => {
      await features.remove(req.params.name);
      return reply.status(204).send();
    });
    r.put('/feature-groups/:name/schema', { schema: { ...tags, summary: 'Add features: a new schema version (existing features keep their types)', params: nameParams, body: updateSchemaBody } }, async (req) =>
      features.addFeatures(req.params.name, req.body.features),
    );
    r.post('/feature-groups/:name/records', {
      ...big,
      schema: { ...tags, summary: 'Ingest records: one JSON object, a JSON array (or {records}), JSON Lines (application/x-ndjson), CSV (text/csv, header = feature names) or a multipart upload of such a file (part "file"). Validated whole; any bad row → 400 naming every row and field, nothing stored', params: nameParams, consumes: ['application/json', ...TEXT_TYPES, 'multipart/form-data'] },
    }, async (req) => {
      if (!req.isMultipart()) return features.ingest(req.params.name, req.body, formatOf(req.headers['content-type']));
      const up = await uploaded(req, recordsForm, 'FEATURE_RECORD_INVALID');
      return features.ingest(req.params.name, up.body, up.format);
    });
    r.post('/feature-groups/:name/ingest-dataset', { schema: { ...tags, summary: 'Ingest a dataset version (CSV/TSV/JSON Lines) as records: 202 + the features.ingest-dataset job', params: nameParams, body: ingestDatasetSchema } }, async (req, reply) =>
      reply.status(202).send(await features.ingestDatasetJob(req.params.name, req.body)),
    );
    r.get('/feature-groups/:name/records/:recordId', { schema: { ...tags, summary: 'Online store: the latest value of a record id (by event time, ties by write order)', params: recordParams } }, async (req) =>
      features.online(req.params.name, req.params.recordId),
    );
    r.post('/feature-groups/:name/online/rebuild', { schema: { ...tags, summary: "Rebuild the group's online store (latest per record id) from the offline history", params: nameParams } }, async (req) =>
      features.rebuildOnline(req.params.name),
    );
    r.get('/feature-groups/:name/records/:recordId/history', { schema: { ...tags, summary: 'Offline store: every row written for a record id, oldest event first', params: recordParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(100_000).optional() }) } }, async (req) =>
      features.history(req.params.name, req.params.recordId, req.query.limit),
    );
    r.post('/feature-groups/:name/retrieve', {
      ...big,
      schema: { ...tags, summary: 'Point-in-time retrieval: entity rows (JSON {entities} or CSV record_id,timestamp) → values as of each timestamp, in input order; no value from after the timestamp', params: nameParams, consumes: ['application/json', 'text/csv', 'multipart/form-data'], querystring: z.object({ features: z.string().max(20_000).optional(), ttlSeconds: z.coerce.number().positive().optional() }) },
    }, async (req) => {
      // CSV: the body (text/csv) or an uploaded file (fields features, ttlSeconds before it); options may also be in the query.
      const up = req.isMultipart() ? await uploaded(req, entitiesForm, 'FEATURE_ENTITIES_INVALID') : undefined;
      const csv = up ? up.body : req.body;
      if (typeof csv === 'string') {
        const names = (up?.fields.features ?? req.query.features)?.split(',').map((s) => s.trim()).filter(Boolean);
        const ttl = up?.fields.ttlSeconds ? Number(up.fields.ttlSeconds) : req.query.ttlSeconds;
        if (ttl !== undefined && !(ttl > 0)) throw new AppError('FEATURE_ENTITIES_INVALID', `ttlSeconds ${up?.fields.ttlSeconds} is not a positive number.`, { problems: [{ field: 'ttlSeconds', problem: 'not a positive number', fix: 'Give the max age in seconds, e.g. 86400.' }] });
        return features.retrieve(req.params.name, csv, { ...(names?.length ? { features: names } : {}), ...(ttl ? { ttlSeconds: ttl } : {}) });
      }
      const body = parseWith(retrieveBodySchema, csv);
      return features.retrieve(req.params.name, body.entities, { ...(body.features ? { features: body.features } : {}), ...(body.ttlSeconds ? { ttlSeconds: body.ttlSeconds } : {}) });
    });
    r.post('/feature-groups/:name/latest', { schema: { ...tags, summary: 'The latest row per record id, optionally of rows matching where (e.g. {"status": "APPROVED"}) and as of a time; pages by record id', params: nameParams, body: latestQuerySchema } }, async (req) =>
      features.latest(req.params.name, req.body),
    );
  });
}
