/**
 * The feature group `image_labels` (notes/detection.md) as labeling writes and reads it, over the feature store's
 * service: one record per save (PENDING by the labeler, APPROVED/REJECTED by the verifier), the history per image.
 * The detection datasets create the group on import; labeling creates the same definition if it is still missing.
 */
import { AppError } from '../../core/errors.ts';
import type { CreateGroupInput, FeatureGroup, FeatureRecord, RetrieveResult } from '../features/schema.ts';
import type { LabelingFeaturesPort, LabelRecordValues } from './ports.ts';

export const IMAGE_LABELS = 'image_labels';

export const IMAGE_LABELS_DEFINITION: CreateGroupInput = {
  name: IMAGE_LABELS,
  description: 'Bounding-box labels per detection image (record id <dataset>/<ref>): status, labeler, verifier, job',
  recordIdentifierFeature: 'image',
  eventTimeFeature: 'event_time',
  features: [
    { name: 'image', type: 'string' },
    { name: 'event_time', type: 'string' },
    { name: 'dataset', type: 'string' },
    { name: 'ref', type: 'string' },
    { name: 'boxes', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'labeler', type: 'string' },
    { name: 'verifier', type: 'string' },
    { name: 'job', type: 'string' },
  ],
};

/** The part of the feature service labeling uses. */
export interface FeatureStoreForLabels {
  get(nameOrId: string): Promise<FeatureGroup>;
  create(input: CreateGroupInput): Promise<FeatureGroup>;
  ingest(nameOrId: string, body: unknown): Promise<unknown>;
  history(nameOrId: string, recordId: string): Promise<{ items: FeatureRecord[] }>;
  retrieve(nameOrId: string, entities: Record<string, unknown>[], options?: { features?: string[] }): Promise<RetrieveResult>;
}

const isCode = (err: unknown, code: string) => err instanceof AppError && err.code === code;

export function labelFeatures(features: FeatureStoreForLabels): LabelingFeaturesPort {
  async function group(): Promise<FeatureGroup> {
    try {
      return await features.get(IMAGE_LABELS);
    } catch (err) {
      if (!isCode(err, 'FEATURE_GROUP_NOT_FOUND')) throw err;
      return features.create(IMAGE_LABELS_DEFINITION).catch(async (e: unknown) => {
        if (isCode(e, 'ALREADY_EXISTS')) return features.get(IMAGE_LABELS); // created meanwhile by another writer
        throw e;
      });
    }
  }
  return {
    async write(record: LabelRecordValues) {
      const g = await group();
      // `boxes` is a JSON string in the contract; a group made with a json-typed feature takes the array itself.
      const boxesType = g.features.find((f) => f.name === 'boxes')?.type;
      await features.ingest(IMAGE_LABELS, { ...record, boxes: boxesType === 'json' ? JSON.parse(record.boxes) : record.boxes });
    },
    async latestStatuses(dataset: string, refs: string[]) {
      const out = new Map<string, string>();
      if (refs.length === 0) return out;
      // Point-in-time at now = the latest record of each image (ties by write order), one read for all of them.
      const now = Date.now();
      try {
        const res = await features.retrieve(IMAGE_LABELS, refs.map((ref) => ({ recordId: `${dataset}/${ref}`, timestamp: now })), { features: ['status'] });
        res.items.forEach((row, i) => {
          if (row.values) out.set(refs[i]!, String(row.values.status));
        });
      } catch (err) {
        if (!isCode(err, 'FEATURE_GROUP_NOT_FOUND')) throw err;
      }
      return out;
    },
    async history(image: string) {
      try {
        return (await features.history(IMAGE_LABELS, image)).items.map((r) => ({ eventTime: r.eventTime, values: r.values }));
      } catch (err) {
        if (isCode(err, 'FEATURE_GROUP_NOT_FOUND')) return [];
        throw err;
      }
    },
  };
}
