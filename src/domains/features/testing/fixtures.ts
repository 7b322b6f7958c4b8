/** Test fixtures for the feature store: a fresh SQLite database with the service, and an image-label group. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabase } from '../../../storage/db.ts';
import type { Database } from '../../../storage/schema.ts';
import { createFeatureService, type FeatureService } from '../service.ts';
import type { CreateGroupInput } from '../schema.ts';

/** Labels of the detection issue: per image, boxes (json), status, labeler, verifier, score. */
export const LABELS_GROUP: CreateGroupInput = {
  name: 'image-labels',
  description: 'Bounding-box labels per image',
  recordIdentifierFeature: 'image_id',
  eventTimeFeature: 'labeled_at',
  features: [
    { name: 'image_id', type: 'string' },
    { name: 'labeled_at', type: 'string' },
    { name: 'boxes', type: 'json' },
    { name: 'status', type: 'string' },
    { name: 'labeler', type: 'string' },
    { name: 'verifier', type: 'string' },
    { name: 'score', type: 'double' },
  ],
};

export async function openFeatureStore(): Promise<{ db: Kysely<Database>; features: FeatureService; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-features-'));
  const db = await openDatabase(`sqlite:${join(dir, 'test.db')}`);
  return {
    db,
    features: createFeatureService({ db }),
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
