/**
 * Migration 0007_registry: model-registry governance (issue 14, C8 part 1) and webhooks.
 *
 * - model_approvals: the current approval status of a model version (no row: PendingManualApproval, so every
 *   version, old or new, starts pending without touching `models`); model_approval_history: every change, who, when, why.
 * - model_aliases: (model name, alias) → one version; the primary key makes one holder per alias, and a move is one
 *   upsert of that row (atomic on both dialects).
 * - model_tags: key/value per version; model_cards: the hand-written part of a version's model card.
 * - model_settings: per-model options (deployOnApproval's endpoint).
 * - webhooks and webhook_deliveries: the durable outbox (a delivery row is written in the same transaction as the
 *   change it reports; a loop sends it, with retries and backoff, and keeps the log).
 * Versions' rows cascade: deleting a model version deletes its approval, aliases, tags and card.
 */
import type { Kysely, Migration } from 'kysely';
import { emptyTextColumns, idColumn, refColumn, textColumns, timestamps } from './migrationHelpers.ts';

const MODEL = 'models.id';

export function registryMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('model_approvals')
        .addColumn('model_id', 'text', (c) => c.primaryKey().references(MODEL).onDelete('cascade'))
        .$call(textColumns('status', 'updated_by', 'updated_at'))
        .$call(emptyTextColumns('reason'))
        .execute();
      await db.schema
        .createTable('model_approval_history')
        .$call(idColumn)
        .$call(refColumn('model_id', MODEL))
        .$call(textColumns('status', 'previous_status', 'changed_by', 'changed_at'))
        .$call(emptyTextColumns('reason'))
        .execute();
      await db.schema.createIndex('model_approval_history_model_idx').on('model_approval_history').columns(['model_id', 'id']).execute();
      await db.schema
        .createTable('model_aliases')
        .$call(textColumns('model_name', 'alias'))
        .$call(refColumn('model_id', MODEL))
        .$call(textColumns('updated_by', 'updated_at'))
        .addPrimaryKeyConstraint('model_aliases_pk', ['model_name', 'alias'])
        .execute();
      await db.schema.createIndex('model_aliases_model_idx').on('model_aliases').column('model_id').execute();
      await db.schema
        .createTable('model_tags')
        .$call(refColumn('model_id', MODEL))
        .$call(textColumns('key', 'value', 'updated_at'))
        .addPrimaryKeyConstraint('model_tags_pk', ['model_id', 'key'])
        .execute();
      await db.schema
        .createTable('model_cards')
        .addColumn('model_id', 'text', (c) => c.primaryKey().references(MODEL).onDelete('cascade'))
        .$call(emptyTextColumns('description', 'intended_use', 'limitations'))
        .$call(textColumns('updated_by', 'updated_at'))
        .execute();
      await db.schema
        .createTable('model_settings')
        .addColumn('model_name', 'text', (c) => c.primaryKey())
        .addColumn('deploy_endpoint', 'text')
        .$call(textColumns('updated_by', 'updated_at'))
        .execute();
      await db.schema
        .createTable('webhooks')
        .$call(idColumn)
        .$call(textColumns('url', 'events_json', 'secret'))
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .$call(emptyTextColumns('description'))
        .$call(textColumns('created_by', 'created_at'))
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .$call(idColumn)
        .$call(refColumn('webhook_id', 'webhooks.id'))
        .$call(textColumns('event', 'payload_json', 'status'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(textColumns('next_attempt_at'))
        .addColumn('response_code', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('last_error', 'text')
        .$call(timestamps)
        .execute();
      // The sender claims due rows by (status, next_attempt_at); the log lists a webhook's rows newest first.
      await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('webhook_deliveries_webhook_idx').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['webhook_deliveries', 'webhooks', 'model_settings', 'model_cards', 'model_tags', 'model_aliases', 'model_approval_history', 'model_approvals']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
