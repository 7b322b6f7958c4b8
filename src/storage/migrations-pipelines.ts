/**
 * Migration 0008_pipelines (issue 14): pipeline definitions and their versions (a changed definition is a new
 * version; `hash` is the hash of the canonical definition), runs and their step rows (the orchestrator's durable
 * state: a step records its job id, attempts, cache key and outputs, so a restarted server resumes from the last
 * finished step), and lineage edges (dataset version → run → model version → endpoint).
 */
import type { Kysely, Migration } from 'kysely';

export function pipelinesMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('pipelines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('pipeline_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('definition_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('pipeline_versions_pipeline_version_uq', ['pipeline_id', 'version'])
        .execute();
      await db.schema
        .createTable('pipeline_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
        .addColumn('version_id', 'text', (c) => c.notNull().references('pipeline_versions.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('params_json', 'text', (c) => c.notNull())
        .addColumn('trigger_json', 'text', (c) => c.notNull())
        .addColumn('error_json', 'text')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pipeline_runs_status_idx').on('pipeline_runs').columns(['status', 'id']).execute();
      await db.schema.createIndex('pipeline_runs_pipeline_idx').on('pipeline_runs').columns(['pipeline_id', 'id']).execute();
      await db.schema
        .createTable('pipeline_steps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull().references('pipeline_runs.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('worker', 'text')
        .addColumn('owner', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cache_key', 'text')
        .addColumn('cached', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('outputs_json', 'text')
        .addColumn('error_json', 'text')
        .addColumn('logs_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('not_before', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('pipeline_steps_run_name_uq', ['run_id', 'name'])
        .execute();
      await db.schema.createIndex('pipeline_steps_cache_idx').on('pipeline_steps').columns(['cache_key', 'status']).execute();
      await db.schema.createIndex('pipeline_steps_job_idx').on('pipeline_steps').column('job_id').execute();
      await db.schema
        .createTable('pipeline_lineage')
        .addColumn('from_kind', 'text', (c) => c.notNull())
        .addColumn('from_id', 'text', (c) => c.notNull())
        .addColumn('to_kind', 'text', (c) => c.notNull())
        .addColumn('to_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull().references('pipeline_runs.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('pipeline_lineage_pk', ['from_kind', 'from_id', 'to_kind', 'to_id'])
        .execute();
      await db.schema.createIndex('pipeline_lineage_to_idx').on('pipeline_lineage').columns(['to_kind', 'to_id']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['pipeline_lineage', 'pipeline_steps', 'pipeline_runs', 'pipeline_versions', 'pipelines']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
