/**
 * The labeling domain's pre-labeler (active learning) over the detection service: the current approved detector is
 * the newest ready `detector` model version whose registry approval is Approved; it predicts each image of a new
 * labeling job (boxes at the detection service's default minimum score). No approved detector: no pre-labels.
 */
import type { Kysely } from 'kysely';
import type { Detection } from '../domains/detection/index.ts';
import type { Prelabeler } from '../domains/labeling/index.ts';
import type { Database } from '../storage/schema.ts';

/** The part of the detection service pre-labels use. */
export interface DetectorForLabeling {
  predict(ref: string, bytes: Buffer): Promise<{ detections: Detection[] }>;
}

export function approvedDetectorPrelabeler(db: Kysely<Database>, detection: DetectorForLabeling): Prelabeler {
  return {
    async current() {
      const row = await db.selectFrom('models').innerJoin('model_approvals', 'model_approvals.model_id', 'models.id')
        .select(['models.name', 'models.version'])
        .where('models.kind', '=', 'detector').where('models.status', '=', 'ready').where('model_approvals.status', '=', 'Approved')
        .orderBy('models.created_at', 'desc').orderBy('models.version', 'desc').limit(1).executeTakeFirst();
      if (!row) return null;
      const ref = `${row.name}:${row.version}`;
      return { model: ref, predict: async (bytes) => (await detection.predict(ref, bytes)).detections };
    },
  };
}
