/** Kysely queries for webhooks and their delivery outbox/log (migration 0007_registry). */
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../../storage/schema.ts';
import { newestFirstPage, type Page } from '../../storage/pagination.ts';

type Db = Kysely<Database>;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  description: string;
  createdBy: string;
  createdAt: string;
}

export interface Delivery {
  id: string;
  webhookId: string;
  event: string;
  /** pending (waiting for its first or next attempt) | sending | succeeded | failed */
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  responseCode: number | null;
  errorCode: string | null;
  lastError: string | null;
  payload: unknown;
  createdAt: string;
  updatedAt: string;
}

export function toWebhook(r: Selectable<WebhooksTable>): Webhook {
  return { id: r.id, url: r.url, events: JSON.parse(r.events_json) as string[], active: Number(r.active) === 1, description: r.description, createdBy: r.created_by, createdAt: r.created_at };
}

export function toDelivery(r: Selectable<WebhookDeliveriesTable>): Delivery {
  const open = r.status === 'pending' || r.status === 'sending';
  return {
    id: r.id, webhookId: r.webhook_id, event: r.event, status: r.status, attempts: Number(r.attempts), nextAttemptAt: open ? r.next_attempt_at : null,
    responseCode: r.response_code === null ? null : Number(r.response_code), errorCode: r.error_code, lastError: r.last_error,
    payload: JSON.parse(r.payload_json) as unknown, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export async function listWebhooks(db: Db): Promise<Webhook[]> {
  return (await db.selectFrom('webhooks').selectAll().orderBy('id').execute()).map(toWebhook);
}

export async function findWebhook(db: Db, id: string): Promise<Selectable<WebhooksTable> | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listDeliveries(db: Db, q: { webhookId?: string; status?: string; limit?: number; cursor?: string }): Promise<Page<Delivery>> {
  let query = db.selectFrom('webhook_deliveries').selectAll();
  if (q.webhookId) query = query.where('webhook_id', '=', q.webhookId);
  if (q.status) query = query.where('status', '=', q.status);
  return newestFirstPage(query, q, toDelivery);
}

/** Due deliveries, oldest first; `sending` rows untouched for `staleBefore` belong to a sender that died. */
export async function dueDeliveries(db: Db, now: string, staleBefore: string, limit: number): Promise<Array<Selectable<WebhookDeliveriesTable>>> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', staleBefore)])]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/** Takes a delivery for one attempt: only one sender wins (guarded on the status and updated_at it read). */
export async function claimDelivery(db: Db, row: Selectable<WebhookDeliveriesTable>, now: string): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'sending', updated_at: now })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('updated_at', '=', row.updated_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function finishAttempt(db: Db, id: string, update: { status: string; attempts: number; nextAttemptAt: string; responseCode: number | null; errorCode: string | null; lastError: string | null; now: string }): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: update.status, attempts: update.attempts, next_attempt_at: update.nextAttemptAt, response_code: update.responseCode, error_code: update.errorCode, last_error: update.lastError, updated_at: update.now })
    .where('id', '=', id)
    .execute();
}
