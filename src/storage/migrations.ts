/**
 * Schema migrations, in code so the package needs no migration files on disk. The DDL is portable:
 * text ids and ISO timestamps, JSON as text, `double precision` (REAL affinity on SQLite) and
 * `bigint` for byte sizes. Only the auto-increment log id differs between the two dialects.
 * Never edit a shipped migration; add a new one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function init(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('datasets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('dataset_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('artifact_key', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('sha256', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('schema_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('stats_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('problems_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('meta_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('dataset_versions_dataset_version_uq', ['dataset_id', 'version'])
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('result_json', 'text')
        .addColumn('error_json', 'text')
        .addColumn('progress', sql`double precision`, (c) => c.notNull().defaultTo(0))
        .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('idempotent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The worker claims the oldest queued job; lists filter by status or type.
      await db.schema.createIndex('jobs_status_created_idx').on('jobs').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('jobs_type_idx').on('jobs').columns(['type', 'id']).execute();

      await db.schema
        .createTable('job_logs')
        .$call((t) =>
          dialect === 'postgres'
            ? t.addColumn('id', 'serial', (c) => c.primaryKey())
            : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
        )
        .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_logs_job_id_idx').on('job_logs').columns(['job_id', 'id']).execute();

      // Models and endpoints reference other rows without foreign keys: their services decide what
      // deleting a referenced row means (IN_USE error, keep history), not the database.
      await db.schema
        .createTable('models')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('dataset_version_id', 'text')
        .addColumn('job_id', 'text')
        .addColumn('params_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('metrics_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('artifacts_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('meta_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('models_name_version_uq', ['name', 'version'])
        .execute();
      await db.schema.createIndex('models_dataset_version_idx').on('models').column('dataset_version_id').execute();

      await db.schema
        .createTable('endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('config_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('endpoints_model_idx').on('endpoints').column('model_id').execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['endpoints', 'models', 'job_logs', 'jobs', 'dataset_versions', 'datasets']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/** Migration names sort in the order they apply. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      // Reserved names: 0002_fhir (FHIR store), 0003_cql_rules (payer rule catalog), 0004_cds (CDS Hooks audit, feedback, JWT ids).
      return { '0001_init': init(dialect) };
    },
  };
}
