/**
 * The feature group `image_labels` (notes/detection.md) as the detection datasets use it, through the feature
 * store's service (never its tables): created on first use, label records written on import, and read back as
 * "the latest label per image" (the online value, via point-in-time retrieval at now) or "the latest APPROVED label
 * per image" (the feature store's latest-per-id query filtered by status) — one implementation, the feature store's.
 */
import { AppError } from '../../../core/errors.ts';
import type { CreateGroupInput, FeatureGroup, FeatureRecord, RetrieveResult } from '../../features/schema.ts';
import type { LabeledBox } from '../formats/types.ts';

export const IMAGE_LABELS = 'image_labels';
export const LABEL_STATUSES = ['APPROVED', 'REJECTED', 'PENDING'] as const;
export type LabelStatus = (typeof LABEL_STATUSES)[number];

/** The group's one definition (labeling's writes use it too, src/domains/labeling/labels.ts); whoever comes first makes it. */
export const IMAGE_LABELS_GROUP: CreateGroupInput = {
  name: IMAGE_LABELS,
  description: 'Bounding-box labels per detection image (record id <dataset>/<ref>): status, labeler, verifier, job',
  recordIdentifierFeature: 'image',
  eventTimeFeature: 'event_time',
  features: ['image', 'event_time', 'dataset', 'ref', 'boxes', 'status', 'labeler', 'verifier', 'job'].map((name) => ({ name, type: 'string' })),
};

/** The part of the feature service the detection datasets use. */
export interface DetectionFeaturesPort {
  get(nameOrId: string): Promise<FeatureGroup>;
  create(input: CreateGroupInput): Promise<FeatureGroup>;
  ingest(nameOrId: string, body: unknown): Promise<unknown>;
  retrieve(nameOrId: string, entities: Record<string, unknown>[]): Promise<RetrieveResult>;
  latest(nameOrId: string, query: { where?: Record<string, string>; limit?: number; cursor?: string }): Promise<{ items: FeatureRecord[]; nextCursor: string | null }>;
}

/** One label of an image, as read from the group. */
export interface ImageLabel {
  boxes: LabeledBox[];
  status: string;
  eventTime: string;
  labeler: string;
  verifier: string;
  job: string;
}

export const recordId = (dataset: string, ref: string): string => `${dataset}/${ref}`;

const isCode = (err: unknown, code: string) => err instanceof AppError && err.code === code;

/** The group, made on first use by whoever writes first (these datasets' import or labeling); returns its definition. */
export async function ensureLabelGroup(features: Pick<DetectionFeaturesPort, 'get' | 'create'>): Promise<FeatureGroup> {
  try {
    return await features.get(IMAGE_LABELS);
  } catch (err) {
    if (!isCode(err, 'FEATURE_GROUP_NOT_FOUND')) throw err;
    return features.create(IMAGE_LABELS_GROUP).catch(async (e: unknown) => {
      if (isCode(e, 'ALREADY_EXISTS')) return features.get(IMAGE_LABELS); // made meanwhile by another writer
      throw e;
    });
  }
}

export interface NewLabel { dataset: string; ref: string; boxes: LabeledBox[]; status: LabelStatus; eventTime: number; labeler: string; verifier?: string; job: string }

const BATCH = 5000;

/** Appends label records (validated whole per batch by the feature store). */
export async function writeLabels(features: DetectionFeaturesPort, labels: readonly NewLabel[]): Promise<void> {
  if (labels.length === 0) return;
  await ensureLabelGroup(features);
  for (let i = 0; i < labels.length; i += BATCH) {
    await features.ingest(IMAGE_LABELS, labels.slice(i, i + BATCH).map((l) => ({
      image: recordId(l.dataset, l.ref), event_time: new Date(l.eventTime).toISOString(), dataset: l.dataset, ref: l.ref,
      boxes: JSON.stringify(l.boxes), status: l.status, labeler: l.labeler, verifier: l.verifier ?? '', job: l.job,
    })));
  }
}

function toLabel(values: Record<string, unknown>, eventTime: string): ImageLabel {
  const raw = values.boxes;
  const boxes = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as LabeledBox[];
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  return { boxes, status: s('status'), eventTime, labeler: s('labeler'), verifier: s('verifier'), job: s('job') };
}

async function groupExists(features: DetectionFeaturesPort): Promise<boolean> {
  return features.get(IMAGE_LABELS).then(() => true, (err: unknown) => {
    if (isCode(err, 'FEATURE_GROUP_NOT_FOUND')) return false;
    throw err;
  });
}

/** The latest label of each given image (any status), by ref; images without one are absent. */
export async function latestLabels(features: DetectionFeaturesPort, dataset: string, refs: readonly string[]): Promise<Map<string, ImageLabel>> {
  const out = new Map<string, ImageLabel>();
  if (refs.length === 0 || !(await groupExists(features))) return out;
  const now = Date.now();
  const res = await features.retrieve(IMAGE_LABELS, refs.map((ref) => ({ recordId: recordId(dataset, ref), timestamp: now })));
  res.items.forEach((row, i) => {
    if (row.values && row.eventTime) out.set(refs[i]!, toLabel(row.values, row.eventTime));
  });
  return out;
}

/** The latest label per image of the dataset among those matching `where` (e.g. status APPROVED), by ref. */
export async function latestWhere(features: DetectionFeaturesPort, dataset: string, where: Record<string, string> = {}): Promise<Map<string, ImageLabel>> {
  const out = new Map<string, ImageLabel>();
  if (!(await groupExists(features))) return out;
  let cursor: string | undefined;
  do {
    const page = await features.latest(IMAGE_LABELS, { where: { dataset, ...where }, limit: 10_000, ...(cursor ? { cursor } : {}) });
    for (const r of page.items) out.set(String(r.values.ref), toLabel(r.values, r.eventTime));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
