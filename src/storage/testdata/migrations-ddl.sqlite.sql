-- 0001_init up
create table "datasets" ("id" text primary key, "name" text not null unique, "description" text default '' not null, "kind" text not null, "latest_version" integer default 0 not null, "created_at" text not null, "updated_at" text not null);
create table "dataset_versions" ("id" text primary key, "dataset_id" text not null references "datasets" ("id") on delete cascade, "version" integer not null, "format" text not null, "file_name" text not null, "artifact_key" text not null, "size_bytes" bigint default 0 not null, "sha256" text default '' not null, "row_count" integer default 0 not null, "status" text not null, "schema_json" text default '{}' not null, "stats_json" text default '{}' not null, "problems_json" text default '[]' not null, "meta_json" text default '{}' not null, "created_at" text not null, constraint "dataset_versions_dataset_version_uq" unique ("dataset_id", "version"));
create table "jobs" ("id" text primary key, "type" text not null, "status" text not null, "payload_json" text not null, "result_json" text, "error_json" text, "progress" double precision default 0 not null, "message" text default '' not null, "attempts" integer default 0 not null, "idempotent" integer default 0 not null, "cancel_requested" integer default 0 not null, "created_at" text not null, "started_at" text, "finished_at" text, "updated_at" text not null);
create index "jobs_status_created_idx" on "jobs" ("status", "created_at");
create index "jobs_type_idx" on "jobs" ("type", "id");
create table "job_logs" ("id" integer primary key autoincrement, "job_id" text not null references "jobs" ("id") on delete cascade, "at" text not null, "level" text not null, "message" text not null);
create index "job_logs_job_id_idx" on "job_logs" ("job_id", "id");
create table "models" ("id" text primary key, "name" text not null, "version" integer not null, "kind" text not null, "status" text not null, "dataset_version_id" text, "job_id" text, "params_json" text default '{}' not null, "metrics_json" text default '{}' not null, "artifacts_json" text default '{}' not null, "meta_json" text default '{}' not null, "created_at" text not null, constraint "models_name_version_uq" unique ("name", "version"));
create index "models_dataset_version_idx" on "models" ("dataset_version_id");
create table "endpoints" ("id" text primary key, "name" text not null unique, "model_id" text not null, "kind" text not null, "config_json" text default '{}' not null, "status" text not null, "created_at" text not null, "updated_at" text not null);
create index "endpoints_model_idx" on "endpoints" ("model_id");
-- 0001_init down
drop table if exists "endpoints";
drop table if exists "models";
drop table if exists "job_logs";
drop table if exists "jobs";
drop table if exists "dataset_versions";
drop table if exists "datasets";
-- 0002_fhir up
create table "fhir_resources" ("type" text not null, "id" text not null, "version_id" integer not null, "last_updated" text not null, "patient_id" text, "resource_json" text not null, "deleted" integer default 0 not null, constraint "fhir_resources_pk" primary key ("type", "id"));
create index "fhir_resources_patient_idx" on "fhir_resources" ("patient_id", "type");
create index "fhir_resources_updated_idx" on "fhir_resources" ("type", "last_updated");
create table "fhir_resource_history" ("type" text not null, "id" text not null, "version_id" integer not null, "last_updated" text not null, "resource_json" text not null, "deleted" integer default 0 not null, constraint "fhir_resource_history_pk" primary key ("type", "id", "version_id"));
create table "fhir_tokens" ("type" text not null, "id" text not null, "param" text not null, "system" text, "code" text, "value" text);
create index "fhir_tokens_search_idx" on "fhir_tokens" ("type", "param", "code");
create index "fhir_tokens_resource_idx" on "fhir_tokens" ("type", "id");
-- 0002_fhir down
drop table if exists "fhir_tokens";
drop table if exists "fhir_resource_history";
drop table if exists "fhir_resources";
-- 0003_cql_rules up
create table "cql_libraries" ("id" text primary key, "name" text not null unique, "version" text not null, "kind" text not null, "status" text not null, "builtin" integer default 0 not null, "description" text default '' not null, "cql" text, "source_hash" text not null, "elm_json" text not null, "meta_json" text default '{}' not null, "created_at" text not null, "updated_at" text not null);
create table "cql_policy" ("id" text primary key, "rows_json" text not null, "updated_at" text not null);
-- 0003_cql_rules down
drop table if exists "cql_policy";
drop table if exists "cql_libraries";
-- 0004_cds up
create table "cds_calls" ("id" text primary key, "service_id" text not null, "hook" text not null, "hook_instance" text not null, "patient_id" text, "client_iss" text, "status" integer not null, "duration_ms" double precision default 0 not null, "cards" integer default 0 not null, "system_actions" integer default 0 not null, "request_json" text not null, "response_json" text not null, "created_at" text not null);
create index "cds_calls_created_idx" on "cds_calls" ("created_at", "id");
create table "cds_feedback" ("id" text primary key, "service_id" text not null, "card_uuid" text not null, "outcome" text not null, "accepted_suggestions_json" text default '[]' not null, "override_reason_json" text, "outcome_timestamp" text not null, "client_iss" text, "created_at" text not null);
create index "cds_feedback_card_idx" on "cds_feedback" ("card_uuid");
create table "cds_jwt_ids" ("iss" text not null, "jti" text not null, "expires_at" text not null, constraint "cds_jwt_ids_pk" primary key ("iss", "jti"));
create index "cds_jwt_ids_expires_idx" on "cds_jwt_ids" ("expires_at");
-- 0004_cds down
drop table if exists "cds_jwt_ids";
drop table if exists "cds_feedback";
drop table if exists "cds_calls";
-- 0005_job_owner up
alter table "jobs" add column "owner" text;
-- 0005_job_owner down
alter table "jobs" drop column "owner";
-- 0006_features up
create table "feature_groups" ("id" text primary key, "name" text not null unique, "description" text default '' not null, "record_id_feature" text not null, "event_time_feature" text not null, "schema_version" integer default 1 not null, "schemas_json" text not null, "next_seq" bigint default 1 not null, "created_at" text not null, "updated_at" text not null);
create table "feature_records" ("group_id" text not null references "feature_groups" ("id") on delete cascade, "record_id" text not null, "event_time" bigint not null, "seq" bigint not null, "schema_version" integer not null, "written_at" text not null, "values_json" text not null, constraint "feature_records_pk" primary key ("group_id", "record_id", "event_time", "seq")) without rowid;
create table "feature_online" ("group_id" text not null references "feature_groups" ("id") on delete cascade, "record_id" text not null, "event_time" bigint not null, "seq" bigint not null, "schema_version" integer not null, "written_at" text not null, "values_json" text not null, constraint "feature_online_pk" primary key ("group_id", "record_id"));
-- 0006_features down
drop table if exists "feature_online";
drop table if exists "feature_records";
drop table if exists "feature_groups";
-- 0007_registry up
create table "model_approvals" ("model_id" text primary key references "models" ("id") on delete cascade, "status" text not null, "updated_by" text not null, "updated_at" text not null, "reason" text default '' not null);
create table "model_approval_history" ("id" text primary key, "model_id" text not null references "models" ("id") on delete cascade, "status" text not null, "previous_status" text not null, "changed_by" text not null, "changed_at" text not null, "reason" text default '' not null);
create index "model_approval_history_model_idx" on "model_approval_history" ("model_id", "id");
create table "model_aliases" ("model_name" text not null, "alias" text not null, "model_id" text not null references "models" ("id") on delete cascade, "updated_by" text not null, "updated_at" text not null, constraint "model_aliases_pk" primary key ("model_name", "alias"));
create index "model_aliases_model_idx" on "model_aliases" ("model_id");
create table "model_tags" ("model_id" text not null references "models" ("id") on delete cascade, "key" text not null, "value" text not null, "updated_at" text not null, constraint "model_tags_pk" primary key ("model_id", "key"));
create table "model_cards" ("model_id" text primary key references "models" ("id") on delete cascade, "description" text default '' not null, "intended_use" text default '' not null, "limitations" text default '' not null, "updated_by" text not null, "updated_at" text not null);
create table "model_settings" ("model_name" text primary key, "deploy_endpoint" text, "updated_by" text not null, "updated_at" text not null);
create table "webhooks" ("id" text primary key, "url" text not null, "events_json" text not null, "secret" text not null, "active" integer default 1 not null, "description" text default '' not null, "created_by" text not null, "created_at" text not null);
create table "webhook_deliveries" ("id" text primary key, "webhook_id" text not null references "webhooks" ("id") on delete cascade, "event" text not null, "payload_json" text not null, "status" text not null, "attempts" integer default 0 not null, "next_attempt_at" text not null, "response_code" integer, "error_code" text, "last_error" text, "created_at" text not null, "updated_at" text not null);
create index "webhook_deliveries_due_idx" on "webhook_deliveries" ("status", "next_attempt_at");
create index "webhook_deliveries_webhook_idx" on "webhook_deliveries" ("webhook_id", "id");
-- 0007_registry down
drop table if exists "webhook_deliveries";
drop table if exists "webhooks";
drop table if exists "model_settings";
drop table if exists "model_cards";
drop table if exists "model_tags";
drop table if exists "model_aliases";
drop table if exists "model_approval_history";
drop table if exists "model_approvals";
