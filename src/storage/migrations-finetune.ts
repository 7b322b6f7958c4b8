/**
 * Migration 0012_finetune (issue 16): one row per fine-tuning run. The run's job (the newest attempt: a resume starts
 * a new `finetune.train` job on the same run directory), its spec as submitted, the validated inspection, the
 * launcher's id (local process group or Slurm job) and, after export, the registered model and endpoint.
 */
import type { Kysely, Migration } from 'kysely';

export function finetuneMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('finetune_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('job_id', 'text')
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('inspection_json', 'text', (c) => c.notNull())
        .addColumn('run_dir', 'text', (c) => c.notNull())
        .addColumn('launcher', 'text', (c) => c.notNull())
        .addColumn('launch_id', 'text')
        .addColumn('model_id', 'text')
        .addColumn('endpoint', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('finetune_runs').execute();
    },
  };
}
