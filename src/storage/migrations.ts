/**
 * Schema migrations, in code so the package needs no migration files on disk. The DDL is portable:
 * text ids and ISO timestamps, JSON as text, `double precision` (REAL affinity on SQLite) and
 * `bigint` for byte sizes. Only the auto-increment log id differs between the two dialects.
 * Never edit a shipped migration; add a new one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { featuresMigration } from './migrations-features.ts';
import { pipelinesMigration } from './migrations-pipelines.ts';
import { registryMigration } from './migrations-registry.ts';

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

/** CDS Hooks (C7): every hook call and its response (CRD found-37), card feedback, and JWT ids seen (replay check). */
function cds(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cds_calls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('hook', 'text', (c) => c.notNull())
        .addColumn('hook_instance', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text')
        .addColumn('client_iss', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', sql`double precision`, (c) => c.notNull().defaultTo(0))
        .addColumn('cards', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('system_actions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('request_json', 'text', (c) => c.notNull())
        .addColumn('response_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cds_calls_created_idx').on('cds_calls').columns(['created_at', 'id']).execute();
      await db.schema
        .createTable('cds_feedback')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('card_uuid', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('accepted_suggestions_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('override_reason_json', 'text')
        .addColumn('outcome_timestamp', 'text', (c) => c.notNull())
        .addColumn('client_iss', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cds_feedback_card_idx').on('cds_feedback').column('card_uuid').execute();
      await db.schema
        .createTable('cds_jwt_ids')
        .addColumn('iss', 'text', (c) => c.notNull())
        .addColumn('jti', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cds_jwt_ids_pk', ['iss', 'jti'])
        .execute();
      await db.schema.createIndex('cds_jwt_ids_expires_idx').on('cds_jwt_ids').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['cds_jwt_ids', 'cds_feedback', 'cds_calls']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}

/**
 * FHIR R4 store (C7): the current version of every resource (with the Patient compartment it belongs to,
 * so a patient's data is one indexed lookup), every version for history/vread, and a search index with one
 * row per (resource, search parameter, value). Index rows: token → system + code; reference → system =
 * target type, code = target id; string → code = normalised text, value = as written; date → code/value =
 * the UTC instants the value starts/ends at (ISO strings compare in time order).
 */
function fhir(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('fhir_resources')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'integer', (c) => c.notNull())
        .addColumn('last_updated', 'text', (c) => c.notNull())
        .addColumn('patient_id', 'text')
        .addColumn('resource_json', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('fhir_resources_pk', ['type', 'id'])
        .execute();
      await db.schema.createIndex('fhir_resources_patient_idx').on('fhir_resources').columns(['patient_id', 'type']).execute();
      await db.schema.createIndex('fhir_resources_updated_idx').on('fhir_resources').columns(['type', 'last_updated']).execute();
      await db.schema
        .createTable('fhir_resource_history')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'integer', (c) => c.notNull())
        .addColumn('last_updated', 'text', (c) => c.notNull())
        .addColumn('resource_json', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('fhir_resource_history_pk', ['type', 'id', 'version_id'])
        .execute();
      await db.schema
        .createTable('fhir_tokens')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('param', 'text', (c) => c.notNull())
        .addColumn('system', 'text')
        .addColumn('code', 'text')
        .addColumn('value', 'text')
        .execute();
      await db.schema.createIndex('fhir_tokens_search_idx').on('fhir_tokens').columns(['type', 'param', 'code']).execute();
      await db.schema.createIndex('fhir_tokens_resource_idx').on('fhir_tokens').columns(['type', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['fhir_tokens', 'fhir_resource_history', 'fhir_resources']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}

/** CQL payer rules (C7): the rule library catalog (source + compiled ELM) and the table-driven policy. */
function cqlRules(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cql_libraries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('cql', 'text')
        .addColumn('source_hash', 'text', (c) => c.notNull())
        .addColumn('elm_json', 'text', (c) => c.notNull())
        .addColumn('meta_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('cql_policy')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rows_json', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['cql_policy', 'cql_libraries']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}

/** Jobs record which process claimed them (JSON {instance, pid, host}), so a restart recovers its dead jobs at once. */
function jobOwner(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('jobs').addColumn('owner', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('jobs').dropColumn('owner').execute();
    },
  };
}

/** Migration names sort in the order they apply. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      // Reserved names: 0002_fhir (FHIR store), 0003_cql_rules (payer rule catalog), 0004_cds (CDS Hooks audit, feedback, JWT ids).
      return { '0001_init': init(dialect), '0002_fhir': fhir(), '0003_cql_rules': cqlRules(), '0004_cds': cds(), '0005_job_owner': jobOwner(), '0006_features': featuresMigration(dialect), '0007_registry': registryMigration(), '0008_pipelines': pipelinesMigration() };
    },
  };
}
