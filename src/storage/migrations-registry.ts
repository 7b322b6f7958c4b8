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

export function registryMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('model_approvals')
        .addColumn('model_id', 'text', (c) => c.primaryKey().references('models.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('model_approval_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model_id', 'text', (c) => c.notNull().references('models.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('previous_status', 'text', (c) => c.notNull())
        .addColumn('changed_by', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('model_approval_history_model_idx').on('model_approval_history').columns(['model_id', 'id']).execute();
      await db.schema
        .createTable('model_aliases')
        .addColumn('model_name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text', (c) => c.notNull().references('models.id').onDelete('cascade'))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_aliases_pk', ['model_name', 'alias'])
        .execute();
      await db.schema.createIndex('model_aliases_model_idx').on('model_aliases').column('model_id').execute();
      await db.schema
        .createTable('model_tags')
        .addColumn('model_id', 'text', (c) => c.notNull().references('models.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_tags_pk', ['model_id', 'key'])
        .execute();
      await db.schema
        .createTable('model_cards')
        .addColumn('model_id', 'text', (c) => c.primaryKey().references('models.id').onDelete('cascade'))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('intended_use', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('limitations', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('model_settings')
        .addColumn('model_name', 'text', (c) => c.primaryKey())
        .addColumn('deploy_endpoint', 'text')
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events_json', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('response_code', 'integer')
        .addColumn('error_code', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
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
