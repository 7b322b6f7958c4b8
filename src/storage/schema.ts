/**
 * The metadata database schema as Kysely table types. Portable across SQLite and PostgreSQL:
 * timestamps are ISO-8601 text, JSON documents are text (`*_json`), booleans are integers 0/1.
 * Migrations in ./migrations.ts create exactly these tables.
 */
import type { Generated } from 'kysely';

export interface DatasetsTable {
  id: string;
  name: string;
  description: string;
  /** What the dataset is for / its detected kind: tabular | text | images */
  kind: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface DatasetVersionsTable {
  id: string;
  dataset_id: string;
  version: number;
  /** csv | tsv | jsonl | image-folder | zip */
  format: string;
  file_name: string;
  artifact_key: string;
  size_bytes: number;
  sha256: string;
  row_count: number;
  /** ready | invalid */
  status: string;
  /** JSON: column names, delimiter, header flag, format options */
  schema_json: string;
  /** JSON: label counts, text length histogram, etc. */
  stats_json: string;
  /** JSON: Problem[] (errors and warnings) */
  problems_json: string;
  /** JSON: free-form (parent version, edit history, split seeds…) */
  meta_json: string;
  created_at: string;
}

export interface JobsTable {
  id: string;
  type: string;
  /** queued | running | succeeded | failed | cancelled */
  status: string;
  payload_json: string;
  result_json: string | null;
  /** JSON {code, message} */
  error_json: string | null;
  progress: number;
  message: string;
  attempts: number;
  /** 1 when re-running after an interruption is safe */
  idempotent: number;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  /** JSON {instance, pid, host} of the process that claimed it (null before the first claim) */
  owner: string | null;
}

export interface JobLogsTable {
  id: Generated<number>;
  job_id: string;
  at: string;
  level: string;
  message: string;
}

export interface ModelsTable {
  id: string;
  name: string;
  version: number;
  /** text-classifier | image-classifier | llm … */
  kind: string;
  /** training | ready | failed */
  status: string;
  dataset_version_id: string | null;
  job_id: string | null;
  params_json: string;
  metrics_json: string;
  /** JSON: {name: artifactKey} */
  artifacts_json: string;
  meta_json: string;
  created_at: string;
}

export interface EndpointsTable {
  id: string;
  name: string;
  model_id: string;
  kind: string;
  /** JSON: runtime settings (threads, context size, queue size, …) */
  config_json: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface CdsCallsTable {
  id: string;
  service_id: string;
  hook: string;
  hook_instance: string;
  patient_id: string | null;
  client_iss: string | null;
  status: number;
  duration_ms: number;
  cards: number;
  system_actions: number;
  /** The hook request with fhirAuthorization.access_token redacted. */
  request_json: string;
  response_json: string;
  created_at: string;
}

export interface CdsFeedbackTable {
  id: string;
  service_id: string;
  card_uuid: string;
  outcome: string;
  accepted_suggestions_json: string;
  override_reason_json: string | null;
  outcome_timestamp: string;
  client_iss: string | null;
  created_at: string;
}

export interface CdsJwtIdsTable {
  iss: string;
  jti: string;
  expires_at: string;
}

/** FHIR R4 store (C7): the current version of each resource. */
export interface FhirResourcesTable {
  type: string;
  id: string;
  version_id: number;
  /** ISO-8601 UTC instant (meta.lastUpdated) */
  last_updated: string;
  /** The Patient compartment the resource belongs to (its own id for a Patient), or null. */
  patient_id: string | null;
  /** JSON: the resource with meta.versionId / meta.lastUpdated (the last version before deletion when deleted) */
  resource_json: string;
  deleted: number;
}

/** Every version of every FHIR resource (vread, _history). */
export interface FhirResourceHistoryTable {
  type: string;
  id: string;
  version_id: number;
  last_updated: string;
  resource_json: string;
  deleted: number;
}

/** FHIR search index: one row per resource, search parameter and value (see migration 0002_fhir). */
export interface FhirTokensTable {
  type: string;
  id: string;
  param: string;
  system: string | null;
  code: string | null;
  value: string | null;
}

/** CQL payer rule libraries (migration 0003_cql_rules). */
export interface CqlLibrariesTable {
  id: string;
  name: string;
  version: string;
  /** order | patient | helper */
  kind: string;
  /** enabled | disabled */
  status: string;
  /** 1 for the libraries shipped in src/domains/cql/library */
  builtin: number;
  description: string;
  /** CQL source; null when the library was uploaded as ELM only */
  cql: string | null;
  /** sha256 of the source the ELM was compiled from (built-ins are recompiled when their file changes) */
  source_hash: string;
  elm_json: string;
  meta_json: string;
  created_at: string;
  updated_at: string;
}

/** The table-driven payer policy (one row, id "default"): JSON PolicyRow[]. */
export interface CqlPolicyTable {
  id: string;
  rows_json: string;
  updated_at: string;
}

/** Feature groups (migration 0006_features): definition with every schema version (JSON FeatureSchema[]). */
export interface FeatureGroupsTable {
  id: string;
  name: string;
  description: string;
  record_id_feature: string;
  event_time_feature: string;
  schema_version: number;
  schemas_json: string;
  /** The next write sequence number (orders rows with equal event times by write). */
  next_seq: number;
  created_at: string;
  updated_at: string;
}

/** The offline store: every record ever written (append-only); event_time in epoch ms. */
export interface FeatureRecordsTable {
  group_id: string;
  record_id: string;
  event_time: number;
  seq: number;
  schema_version: number;
  written_at: string;
  values_json: string;
}

/** The online store: the latest row per (group, record id) by (event_time, seq). */
export type FeatureOnlineTable = FeatureRecordsTable;

/** Model-registry governance (migration 0007_registry). The current approval of a version; no row: PendingManualApproval. */
export interface ModelApprovalsTable {
  model_id: string;
  /** PendingManualApproval | Approved | Rejected */
  status: string;
  updated_by: string;
  updated_at: string;
  reason: string;
}

/** Every approval change of a version: who (API token name), when, why. */
export interface ModelApprovalHistoryTable {
  id: string;
  model_id: string;
  status: string;
  previous_status: string;
  changed_by: string;
  changed_at: string;
  reason: string;
}

/** (model name, alias) → one version (primary key: one holder per alias). */
export interface ModelAliasesTable {
  model_name: string;
  alias: string;
  model_id: string;
  updated_by: string;
  updated_at: string;
}

export interface ModelTagsTable {
  model_id: string;
  key: string;
  value: string;
  updated_at: string;
}

/** The written part of a version's model card (metrics and lineage come from the version itself). */
export interface ModelCardsTable {
  model_id: string;
  description: string;
  intended_use: string;
  limitations: string;
  updated_by: string;
  updated_at: string;
}

/** Per-model registry options: deployOnApproval's endpoint (null: none). */
export interface ModelSettingsTable {
  model_name: string;
  deploy_endpoint: string | null;
  updated_by: string;
  updated_at: string;
}

export interface WebhooksTable {
  id: string;
  url: string;
  /** JSON string[] of event names */
  events_json: string;
  /** HMAC-SHA256 key of the X-Sagebrush-Signature header */
  secret: string;
  active: number;
  description: string;
  created_by: string;
  created_at: string;
}

/** The webhook outbox and delivery log: pending → sending → succeeded | failed (pending again between retries). */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event: string;
  payload_json: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  response_code: number | null;
  error_code: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** Pipelines (migration 0008_pipelines): one row per name; each changed definition is a pipeline_versions row. */
export interface PipelinesTable {
  id: string;
  name: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface PipelineVersionsTable {
  id: string;
  pipeline_id: string;
  version: number;
  /** sha256 of the canonical definition: an unchanged apply keeps the version */
  hash: string;
  definition_json: string;
  created_at: string;
}

/** One run: running | waiting (only approvals left) | succeeded | failed | cancelled. */
export interface PipelineRunsTable {
  id: string;
  pipeline_id: string;
  version_id: string;
  status: string;
  params_json: string;
  /** JSON {type, detail?}: what started the run (manual, schedule, event) */
  trigger_json: string;
  error_json: string | null;
  cancel_requested: number;
  created_at: string;
  finished_at: string | null;
  updated_at: string;
}

/** One step of a run: the orchestrator's durable state (job id, attempts, cache key, outputs). */
export interface PipelineStepsTable {
  id: string;
  run_id: string;
  name: string;
  position: number;
  type: string;
  status: string;
  job_id: string | null;
  worker: string | null;
  /** JSON ProcessOwner of the orchestrator running an inline step (jobs/owner.ts) */
  owner: string | null;
  attempts: number;
  cache_key: string | null;
  cached: number;
  outputs_json: string | null;
  error_json: string | null;
  logs_json: string;
  /** a retry waits until this time */
  not_before: string | null;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** Lineage edges: dataset-version → run, run → model-version, model-version → endpoint. */
export interface PipelineLineageTable {
  from_kind: string;
  from_id: string;
  to_kind: string;
  to_id: string;
  run_id: string;
  created_at: string;
}

/** Migration 0009: the last firing of each pipeline trigger (kind: schedule | dataset-version | approval | feature-records). */
export interface PipelineTriggersTable {
  pipeline_id: string;
  kind: string;
  /** The fire minute (ISO), the version id or the record high-water mark of the last firing (or the baseline). */
  last_key: string;
  /** Hash of the trigger's settings; a change re-baselines instead of firing. */
  config_hash: string;
  last_fired_at: string | null;
  last_run_id: string | null;
  updated_at: string;
}

/** Migration 0010_labeling: labeling / verification jobs (kind label | verify) over a detection dataset. */
export interface LabelingJobsTable {
  id: string;
  name: string;
  kind: string;
  dataset: string;
  source: string;
  parent_job_id: string | null;
  /** JSON array of the labelers (label jobs) or verifiers (verify jobs), by API token name. */
  people_json: string;
  classes_json: string;
  prelabel_model: string | null;
  total: number;
  created_by: string;
  created_at: string;
}

/** Migration 0010_labeling: one image of a labeling job, its assignee and what was saved. */
export interface LabelingTasksTable {
  job_id: string;
  position: number;
  ref: string;
  width: number;
  height: number;
  assignee: string;
  labeler: string | null;
  input_boxes_json: string | null;
  uncertainty: number | null;
  status: string;
  outcome: string | null;
  boxes_json: string | null;
  done_by: string | null;
  done_at: string | null;
}

/** Migration 0010_labeling: the feedback inbox (images added unlabeled, claimed by a labeling job). */
export interface LabelingInboxTable {
  dataset: string;
  ref: string;
  source: string;
  meta_json: string;
  added_at: string;
  job_id: string | null;
  source_id: string | null;
}

/** Migration 0013_detection: a detection dataset (its class names, JSON array). */
export interface DetectionDatasetsTable {
  id: string;
  name: string;
  classes_json: string;
  created_at: string;
  updated_at: string;
}

/** Migration 0013_detection: one image of a detection dataset (bytes in the artifact store; labels in `image_labels`). */
export interface DetectionImagesTable {
  dataset_id: string;
  ref: string;
  width: number;
  height: number;
  sha256: string;
  content_type: string;
  artifact_key: string;
  source: string;
  added_at: string;
}

/** Migration 0011_edge: a fleet of edge devices (feedback threshold, canary share, health policy, the stable model). */
export interface EdgeFleetsTable {
  id: string;
  name: string;
  feedback_threshold: number;
  canary_share: number;
  /** The detection dataset whose labeling inbox receives the fleet's low-confidence images. */
  feedback_dataset: string;
  health_json: string;
  stable_model_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Migration 0011_edge: a device; only the SHA-256 of its token is stored. */
export interface EdgeDevicesTable {
  id: string;
  fleet_id: string;
  name: string;
  token_hash: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  model_id: string | null;
  heartbeat_json: string | null;
  created_at: string;
}

/** Migration 0011_edge: a detector version deployed to a fleet (canary | promoted | rolled_back | superseded). */
export interface EdgeDeploymentsTable {
  id: string;
  fleet_id: string;
  model_id: string;
  model_ref: string;
  artifact_key: string;
  sha256: string;
  size: number;
  previous_model_id: string | null;
  state: string;
  canary_share: number;
  canary_devices_json: string;
  health_json: string | null;
  reason: string | null;
  created_by: string;
  created_at: string;
  decided_at: string | null;
}

/** Migration 0011_edge: one inference result, keyed by the id its device generated (idempotent ingestion). */
export interface EdgeResultsTable {
  id: string;
  device_id: string;
  fleet_id: string;
  model_id: string | null;
  image: string;
  detections_json: string;
  latency_ms: number | null;
  error_code: string | null;
  low_confidence: number;
  captured_at: string;
  received_at: string;
}

/** Migration 0011_edge: one low-confidence image sent back by a device, keyed by the device's id. */
export interface EdgeFeedbackTable {
  id: string;
  device_id: string;
  fleet_id: string;
  image: string;
  artifact_key: string;
  max_score: number;
  model_id: string | null;
  inbox_ref: string | null;
  captured_at: string;
  received_at: string;
}

/** Migration 0012_finetune: a fine-tuning run (its newest job, spec, run directory, launcher id, exported model). */
export interface FinetuneRunsTable {
  id: string;
  name: string;
  job_id: string | null;
  spec_json: string;
  inspection_json: string;
  run_dir: string;
  launcher: string;
  launch_id: string | null;
  model_id: string | null;
  endpoint: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  jobs: JobsTable;
  job_logs: JobLogsTable;
  models: ModelsTable;
  endpoints: EndpointsTable;
  cds_calls: CdsCallsTable;
  cds_feedback: CdsFeedbackTable;
  cds_jwt_ids: CdsJwtIdsTable;
  fhir_resources: FhirResourcesTable;
  fhir_resource_history: FhirResourceHistoryTable;
  fhir_tokens: FhirTokensTable;
  cql_libraries: CqlLibrariesTable;
  cql_policy: CqlPolicyTable;
  feature_groups: FeatureGroupsTable;
  feature_records: FeatureRecordsTable;
  feature_online: FeatureOnlineTable;
  model_approvals: ModelApprovalsTable;
  model_approval_history: ModelApprovalHistoryTable;
  model_aliases: ModelAliasesTable;
  model_tags: ModelTagsTable;
  model_cards: ModelCardsTable;
  model_settings: ModelSettingsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  pipelines: PipelinesTable;
  pipeline_versions: PipelineVersionsTable;
  pipeline_runs: PipelineRunsTable;
  pipeline_steps: PipelineStepsTable;
  pipeline_lineage: PipelineLineageTable;
  pipeline_triggers: PipelineTriggersTable;
  finetune_runs: FinetuneRunsTable;
  detection_datasets: DetectionDatasetsTable;
  detection_images: DetectionImagesTable;
  labeling_jobs: LabelingJobsTable;
  labeling_tasks: LabelingTasksTable;
  labeling_inbox: LabelingInboxTable;
  edge_fleets: EdgeFleetsTable;
  edge_devices: EdgeDevicesTable;
  edge_deployments: EdgeDeploymentsTable;
  edge_results: EdgeResultsTable;
  edge_feedback: EdgeFeedbackTable;
}
