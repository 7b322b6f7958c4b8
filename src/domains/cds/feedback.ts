/**
 * Card feedback (CDS Hooks 2.0 §Feedback): POST /cds-services/{id}/feedback with accepted/overridden outcomes.
 * The same feedback may arrive more than once (spec), so an identical item is stored once.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { nowIso } from '../../core/ids.ts';
import type { Database } from '../../storage/schema.ts';
import type { FeedbackItem } from './types.ts';

export interface StoredFeedback extends FeedbackItem {
  id: string;
  serviceId: string;
  clientIss: string | null;
  createdAt: string;
}

export function createFeedbackStore(db: Kysely<Database>) {
  return {
    async store(serviceId: string, items: FeedbackItem[], clientIss: string | null): Promise<{ stored: number; duplicates: number }> {
      let stored = 0;
      let duplicates = 0;
      for (const f of items) {
        const id = `fb_${createHash('sha256').update(JSON.stringify([serviceId, f.card, f.outcome, f.outcomeTimestamp, f.acceptedSuggestions ?? [], f.overrideReason ?? null])).digest('hex').slice(0, 24)}`;
        const exists = await db.selectFrom('cds_feedback').select('id').where('id', '=', id).executeTakeFirst();
        if (exists) {
          duplicates++;
          continue;
        }
        await db
          .insertInto('cds_feedback')
          .values({
            id,
            service_id: serviceId,
            card_uuid: f.card,
            outcome: f.outcome,
            accepted_suggestions_json: JSON.stringify(f.acceptedSuggestions ?? []),
            override_reason_json: f.overrideReason ? JSON.stringify(f.overrideReason) : null,
            outcome_timestamp: f.outcomeTimestamp,
            client_iss: clientIss,
            created_at: nowIso(),
          })
          .execute();
        stored++;
      }
      return { stored, duplicates };
    },

    async list(q: { card?: string; limit?: number }): Promise<StoredFeedback[]> {
      let query = db.selectFrom('cds_feedback').selectAll().orderBy('created_at', 'desc').limit(Math.min(Math.max(q.limit ?? 100, 1), 1000));
      if (q.card) query = query.where('card_uuid', '=', q.card);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        serviceId: r.service_id,
        card: r.card_uuid,
        outcome: r.outcome as FeedbackItem['outcome'],
        acceptedSuggestions: JSON.parse(r.accepted_suggestions_json) as { id: string }[],
        ...(r.override_reason_json ? { overrideReason: JSON.parse(r.override_reason_json) as FeedbackItem['overrideReason'] } : {}),
        outcomeTimestamp: r.outcome_timestamp,
        clientIss: r.client_iss,
        createdAt: r.created_at,
      }));
    },
  };
}

export type FeedbackStore = ReturnType<typeof createFeedbackStore>;
