/** The feature store's API shapes (zod) and the types the service returns. */
import { z } from 'zod';

export const FEATURE_TYPES = ['string', 'integer', 'double', 'boolean', 'json'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

const featureName = z.string().min(1).max(64);

export const featureDefSchema = z.object({
  name: featureName,
  type: z.string().min(1).max(20).describe('string | integer | double | boolean | json (json holds objects/arrays, e.g. boxes)'),
  description: z.string().max(500).optional(),
});
export type FeatureDefInput = z.infer<typeof featureDefSchema>;
export interface FeatureDef {
  name: string;
  type: FeatureType;
  description?: string;
}

export const createGroupSchema = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  recordIdentifierFeature: featureName.describe('the feature holding the record id (a string or integer feature)'),
  eventTimeFeature: featureName.describe('the feature holding the event time (ISO-8601 text or epoch milliseconds)'),
  features: z.array(featureDefSchema).min(2).max(500),
});
export type CreateGroupInput = z.infer<typeof createGroupSchema>;

export const updateSchemaBody = z.object({
  features: z.array(featureDefSchema).min(1).max(500).describe('the features to add (existing ones may be repeated unchanged)'),
});

export interface SchemaVersion {
  version: number;
  features: FeatureDef[];
  createdAt: string;
}

export interface FeatureGroup {
  id: string;
  name: string;
  description: string;
  recordIdentifierFeature: string;
  eventTimeFeature: string;
  schemaVersion: number;
  features: FeatureDef[];
  schemas: SchemaVersion[];
  createdAt: string;
  updatedAt: string;
}

/** One stored row: what a record id looked like at an event time. */
export interface FeatureRecord {
  recordId: string;
  /** ISO-8601 (UTC) of the event time. */
  eventTime: string;
  writtenAt: string;
  schemaVersion: number;
  values: Record<string, unknown>;
}

export interface IngestResult {
  group: string;
  written: number;
  /** Record ids whose online value changed (a row older than the online one only joins the history). */
  onlineUpdated: number;
  schemaVersion: number;
  /** The records are stored, but the Redis online store did not take them: rebuild it (POST …/online/rebuild). */
  onlineStale?: true;
}

export const entityRowSchema = z.object({
  recordId: z.union([z.string(), z.number()]).optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
});

export const retrieveBodySchema = z.object({
  entities: z.array(z.looseObject({})).min(1).max(2_000_000).describe('rows of {recordId, timestamp} (the group\'s own feature names also work)'),
  features: z.array(featureName).max(500).optional().describe('only these features (default: all)'),
  ttlSeconds: z.number().positive().optional().describe('ignore a row older than this at the entity timestamp'),
});
export type RetrieveOptions = { features?: string[]; ttlSeconds?: number };

export interface RetrievedRow {
  recordId: string;
  timestamp: string;
  /** The event time of the row used, or null when there was none at or before the timestamp (or it was too old). */
  eventTime: string | null;
  values: Record<string, unknown> | null;
}

export interface RetrieveResult {
  group: string;
  rows: number;
  matched: number;
  items: RetrievedRow[];
}

export const latestQuerySchema = z.object({
  where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('feature = value filters applied before taking the latest row per id (e.g. {"status": "APPROVED"})'),
  asOf: z.union([z.string(), z.number()]).optional().describe('only rows with event time at or before this'),
  limit: z.number().int().min(1).max(100_000).optional(),
  cursor: z.string().max(1000).optional().describe('the nextCursor of the previous page'),
});
export type LatestQuery = z.infer<typeof latestQuerySchema>;

export const ingestDatasetSchema = z.object({
  dataset: z.string().min(1).max(200),
  version: z.number().int().positive().optional(),
});
