/**
 * The feedback inbox: an edge device's low-confidence image is added to a detection dataset unlabeled and marked as
 * inbox, so the next labeling job made "from inbox" takes it (each image once). D4's feedback upload calls `add`
 * through a port.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import type { Database } from '../../storage/schema.ts';
import type { LabelingDatasetsPort } from './ports.ts';
import type { InboxItem } from './schema.ts';
import * as store from './store.ts';

export interface InboxAddInput {
  dataset: string;
  /** Where it came from, e.g. `<fleet>/<device>`. */
  source: string;
  image: Buffer;
  /** The file name to store it under (the datasets domain makes the ref unique). */
  fileName?: string;
  meta?: Record<string, unknown>;
  /** The sender's id of this image (the edge feedback id): adding it again returns the first add, nothing new. */
  id?: string;
}

export function createInbox(deps: { db: Kysely<Database>; datasets: LabelingDatasetsPort }) {
  return {
    async add(input: InboxAddInput): Promise<InboxItem> {
      if (!input.source || input.source.length > 200) throw new AppError('LABELING_INBOX_INVALID', 'An inbox image needs its source (1–200 characters).', { problems: [{ field: 'source', problem: 'is missing or too long', fix: 'Pass the fleet/device the image came from.' }] });
      const meta = input.meta ?? {};
      if (JSON.stringify(meta).length > 20_000) throw new AppError('LABELING_INBOX_INVALID', 'The inbox image\'s meta is larger than 20 000 characters of JSON.', { problems: [{ field: 'meta', problem: 'too large', fix: 'Send only the prediction summary (scores, model version, device).' }] });
      if (input.id !== undefined && (input.id.length === 0 || input.id.length > 200)) throw new AppError('LABELING_INBOX_INVALID', 'An inbox image id is 1–200 characters.', { problems: [{ field: 'id', problem: 'is empty or too long', fix: 'Send the id the device gave the image (or none).' }] });
      const sourceId = input.id ?? null;
      // A retried hand-off (same id) is the same image: answer with the first add.
      const earlier = sourceId === null ? undefined : await store.inboxBySourceId(deps.db, input.dataset, sourceId);
      if (earlier) return store.toInbox(earlier);
      const name = input.fileName ?? `${input.source.replace(/[^A-Za-z0-9._-]+/g, '_')}-${Date.now()}.jpg`;
      const [added] = await deps.datasets.addImages(input.dataset, [{ name, bytes: input.image }]);
      if (!added) throw new AppError('INTERNAL', 'The dataset stored no image.');
      const row = { dataset: input.dataset, ref: added.ref, source: input.source, meta_json: JSON.stringify(meta), added_at: nowIso(), job_id: null, source_id: sourceId };
      await store.addInbox(deps.db, row);
      return store.toInbox(row);
    },
    async list(filter: { dataset?: string; open?: boolean; limit?: number } = {}): Promise<InboxItem[]> {
      return (await store.inboxRows(deps.db, filter.dataset, filter.open ?? false, filter.limit ?? 500)).map(store.toInbox);
    },
  };
}

export type LabelingInbox = ReturnType<typeof createInbox>;

/** A low-confidence image from an edge device, as the edge's feedback upload hands it over (its inbox port). */
export interface FeedbackItem {
  id: string;
  fleet: string;
  device: string;
  dataset: string;
  /** The file name on the device. */
  image: string;
  bytes: Buffer;
  maxScore: number;
  modelId: string | null;
  capturedAt: string;
}

/** The edge's inbox port over this inbox: source `<fleet>/<device>`, the feedback id as the idempotency key. */
export function feedbackInbox(inbox: LabelingInbox): { add(item: FeedbackItem): Promise<{ ref: string }> } {
  return {
    add: (f) => inbox.add({ id: f.id, dataset: f.dataset, source: `${f.fleet}/${f.device}`, image: f.bytes, fileName: f.image.split('/').pop() || undefined, meta: { maxScore: f.maxScore, modelId: f.modelId, capturedAt: f.capturedAt } }),
  };
}
