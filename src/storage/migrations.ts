/**
 * Schema migrations, in code so the package needs no migration files on disk. The DDL is portable:
 * text ids and ISO timestamps, JSON as text, `double precision` (REAL affinity on SQLite) and
 * `bigint` for byte sizes. Only the auto-increment log id differs between the two dialects.
 * Never edit a shipped migration; add a new one.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { featuresMigration } from './migrations-features.ts';
import { emptyTextColumns, idColumn, jsonColumn, refColumn, textColumns, timestamps } from './migrationHelpers.ts';
import { pipelinesMigration } from './migrations-pipelines.ts';
import { pipelineTriggersMigration } from './migrations-triggers.ts';
import { finetuneMigration } from './migrations-finetune.ts';
import { detectionMigration } from './migrations-detection.ts';
import { labelingMigration } from './migrations-labeling.ts';
import { edgeMigration } from './migrations-edge.ts';
import { registryMigration } from './migrations-registry.ts';

export type Dialect = 'sqlite' | 'postgres';

function init(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('datasets')
        .$call(idColumn)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .$call(emptyTextColumns('description'))
        .$call(textColumns('kind'))
        .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(timestamps)
        .execute();

      await db.schema
        .createTable('dataset_versions')
        .$call(idColumn)
        .$call(refColumn('dataset_id', 'datasets.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .$call(textColumns('format', 'file_name', 'artifact_key'))
        .addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .$call(emptyTextColumns('sha256'))
        .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(textColumns('status'))
        .$call(jsonColumn('schema_json'))
        .$call(jsonColumn('stats_json'))
        .$call(jsonColumn('problems_json', '[]'))
        .$call(jsonColumn('meta_json'))
        .$call(textColumns('created_at'))
        .addUniqueConstraint('dataset_versions_dataset_version_uq', ['dataset_id', 'version'])
        .execute();

      await db.schema
        .createTable('jobs')
        .$call(idColumn)
        .$call(textColumns('type', 'status', 'payload_json'))
        .addColumn('result_json', 'text')
        .addColumn('error_json', 'text')
        .addColumn('progress', sql`double precision`, (c) => c.notNull().defaultTo(0))
        .$call(emptyTextColumns('message'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('idempotent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(textColumns('created_at'))
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .$call(textColumns('updated_at'))
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
        .$call(refColumn('job_id', 'jobs.id'))
        .$call(textColumns('at', 'level', 'message'))
        .execute();
      await db.schema.createIndex('job_logs_job_id_idx').on('job_logs').columns(['job_id', 'id']).execute();

      // Models and endpoints reference other rows without foreign keys: their services decide what
      // deleting a referenced row means (IN_USE error, keep history), not the database.
      await db.schema
        .createTable('models')
        .$call(idColumn)
        .$call(textColumns('name'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .$call(textColumns('kind', 'status'))
        .addColumn('dataset_version_id', 'text')
        .addColumn('job_id', 'text')
        .$call(jsonColumn('params_json'))
        .$call(jsonColumn('metrics_json'))
        .$call(jsonColumn('artifacts_json'))
        .$call(jsonColumn('meta_json'))
        .$call(textColumns('created_at'))
        .addUniqueConstraint('models_name_version_uq', ['name', 'version'])
        .execute();
      await db.schema.createIndex('models_dataset_version_idx').on('models').column('dataset_version_id').execute();

      await db.schema
        .createTable('endpoints')
        .$call(idColumn)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .$call(textColumns('model_id', 'kind'))
        .$call(jsonColumn('config_json'))
        .$call(textColumns('status'))
        .$call(timestamps)
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
        .$call(idColumn)
        .$call(textColumns('service_id', 'hook', 'hook_instance'))
        .addColumn('patient_id', 'text')
        .addColumn('client_iss', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', sql`double precision`, (c) => c.notNull().defaultTo(0))
        .addColumn('cards', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('system_actions', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(textColumns('request_json', 'response_json', 'created_at'))
        .execute();
      await db.schema.createIndex('cds_calls_created_idx').on('cds_calls').columns(['created_at', 'id']).execute();
      await db.schema
        .createTable('cds_feedback')
        .$call(idColumn)
        .$call(textColumns('service_id', 'card_uuid', 'outcome'))
        .$call(jsonColumn('accepted_suggestions_json', '[]'))
        .addColumn('override_reason_json', 'text')
        .$call(textColumns('outcome_timestamp'))
        .addColumn('client_iss', 'text')
        .$call(textColumns('created_at'))
        .execute();
      await db.schema.createIndex('cds_feedback_card_idx').on('cds_feedback').column('card_uuid').execute();
      await db.schema
        .createTable('cds_jwt_ids')
        .$call(textColumns('iss', 'jti', 'expires_at'))
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
        .$call(textColumns('type', 'id'))
        .addColumn('version_id', 'integer', (c) => c.notNull())
        .$call(textColumns('last_updated'))
        .addColumn('patient_id', 'text')
        .$call(textColumns('resource_json'))
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('fhir_resources_pk', ['type', 'id'])
        .execute();
      await db.schema.createIndex('fhir_resources_patient_idx').on('fhir_resources').columns(['patient_id', 'type']).execute();
      await db.schema.createIndex('fhir_resources_updated_idx').on('fhir_resources').columns(['type', 'last_updated']).execute();
      await db.schema
        .createTable('fhir_resource_history')
        .$call(textColumns('type', 'id'))
        .addColumn('version_id', 'integer', (c) => c.notNull())
        .$call(textColumns('last_updated', 'resource_json'))
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('fhir_resource_history_pk', ['type', 'id', 'version_id'])
        .execute();
      await db.schema
        .createTable('fhir_tokens')
        .$call(textColumns('type', 'id', 'param'))
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
        .$call(idColumn)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .$call(textColumns('version', 'kind', 'status'))
        .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
        .$call(emptyTextColumns('description'))
        .addColumn('cql', 'text')
        .$call(textColumns('source_hash', 'elm_json'))
        .$call(jsonColumn('meta_json'))
        .$call(timestamps)
        .execute();
      await db.schema
        .createTable('cql_policy')
        .$call(idColumn)
        .$call(textColumns('rows_json', 'updated_at'))
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
      return { '0001_init': init(dialect), '0002_fhir': fhir(), '0003_cql_rules': cqlRules(), '0004_cds': cds(), '0005_job_owner': jobOwner(), '0006_features': featuresMigration(dialect), '0007_registry': registryMigration(), '0008_pipelines': pipelinesMigration(), '0009_pipeline_triggers': pipelineTriggersMigration(), '0012_finetune': finetuneMigration(), '0013_detection': detectionMigration(), '0010_labeling': labelingMigration(), '0011_edge': edgeMigration() };
    },
  };
}
