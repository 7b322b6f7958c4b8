/**
 * Migration 0009_pipeline_triggers (issue 14): one row per pipeline trigger (schedule, dataset version, approval,
 * feature records) holding the key of its last firing (the fire minute, the version id, the high-water mark). A firing
 * is claimed by a guarded UPDATE (`… WHERE last_key = <the key read>`), so two processes never start it twice.
 * `config_hash` is the hash of the trigger's settings: a changed trigger (another dataset, another cron) starts from a
 * new baseline instead of firing.
 */
import type { Kysely, Migration } from 'kysely';

export function pipelineTriggersMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('pipeline_triggers')
        .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('last_key', 'text', (c) => c.notNull())
        .addColumn('config_hash', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_fired_at', 'text')
        .addColumn('last_run_id', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('pipeline_triggers_pk', ['pipeline_id', 'kind'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('pipeline_triggers').execute();
    },
  };
}
