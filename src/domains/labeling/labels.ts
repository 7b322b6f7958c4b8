/**
 * The feature group `image_labels` (notes/detection.md) as labeling writes and reads it, over the feature store's
 * service: one record per save (PENDING by the labeler, APPROVED/REJECTED by the verifier), the history per image.
 * The group's definition and its create-on-first-use are the detection datasets' (one definition, whoever writes first).
 */
import { AppError } from '../../core/errors.ts';
import { ensureLabelGroup, IMAGE_LABELS, IMAGE_LABELS_GROUP, recordId } from '../detection/datasets/labels.ts';
import type { CreateGroupInput, FeatureGroup, FeatureRecord, RetrieveResult } from '../features/schema.ts';
import type { LabelingFeaturesPort, LabelRecordValues } from './ports.ts';

export { IMAGE_LABELS };
/** The group's one definition, the detection datasets' (labeling creates it when it writes first). */
export const IMAGE_LABELS_DEFINITION: CreateGroupInput = IMAGE_LABELS_GROUP;

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
  return {
    async write(record: LabelRecordValues) {
      const g = await ensureLabelGroup(features);
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
        const res = await features.retrieve(IMAGE_LABELS, refs.map((ref) => ({ recordId: recordId(dataset, ref), timestamp: now })), { features: ['status'] });
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
