/**
 * One error type for the whole application. Every failure a user can cause or see carries a stable
 * string code; the table below maps codes to HTTP statuses and titles. docs/errors.md lists every
 * code (a test keeps the two in sync).
 */

export interface ErrorCodeInfo {
  status: number;
  title: string;
}

export const ERROR_CODES = {
  // generic
  VALIDATION_FAILED: { status: 400, title: 'The request or file did not pass validation' },
  BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  JSON_FORBIDDEN_KEY: { status: 400, title: 'The JSON body has a key named __proto__ or constructor.prototype' },
  JSON_TOO_DEEP: { status: 400, title: 'The JSON body nests arrays/objects deeper than the limit' },
  URL_TOO_LONG: { status: 414, title: 'A path segment of the URL is longer than the server accepts' },
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token is not allowed to do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  CONFLICT: { status: 409, title: 'The resource is in a state that forbids this' },
  ALREADY_EXISTS: { status: 409, title: 'A resource with this name already exists' },
  IN_USE: { status: 409, title: 'The resource is used by another resource' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The upload is larger than the configured limit' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are larger than the server accepts' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests; retry later' },
  SCORING_QUEUE_FULL: { status: 429, title: 'The text scoring queue is full; retry after the Retry-After seconds' },
  REQUEST_CANCELLED: { status: 499, title: 'The client closed the request before it was answered' },
  INTERNAL: { status: 500, title: 'Internal error' },
  CONFIG_INVALID: { status: 500, title: 'The configuration is invalid' },
  // storage
  ARTIFACT_NOT_FOUND: { status: 404, title: 'The artifact does not exist in the artifact store' },
  STORAGE_UNAVAILABLE: { status: 503, title: 'The storage backend cannot be reached' },
  // jobs
  JOB_NOT_FOUND: { status: 404, title: 'No such job' },
  JOB_NOT_CANCELLABLE: { status: 409, title: 'The job has already finished' },
  JOB_TYPE_UNKNOWN: { status: 400, title: 'No handler is registered for this job type' },
  QUEUE_UNAVAILABLE: { status: 503, title: 'The job queue backend cannot be reached' },
  JOB_WORKER_FAILED: { status: 500, title: 'The job worker thread could not start' },
  JOB_RESULT_INVALID: { status: 500, title: 'A job result does not match its job type\'s result schema' },
  // datasets and files
  DATASET_NOT_FOUND: { status: 404, title: 'No such dataset or dataset version' },
  FILE_EMPTY: { status: 400, title: 'The file is empty' },
  FILE_BINARY: { status: 400, title: 'The file is binary where text was expected' },
  FILE_ENCODING: { status: 400, title: 'The file is not valid UTF-8' },
  FILE_FORMAT_UNKNOWN: { status: 400, title: 'The file format could not be detected' },
  CSV_MALFORMED: { status: 400, title: 'The CSV/TSV file is malformed' },
  CSV_DUPLICATE_HEADER: { status: 400, title: 'Two header columns have the same name' },
  JSONL_MALFORMED: { status: 400, title: 'A JSON Lines row is not valid JSON' },
  JSONL_TOO_DEEP: { status: 400, title: 'A JSON Lines row nests arrays/objects too deeply' },
  JSONL_FIELD_INVALID: { status: 400, title: 'A JSON Lines row has a missing or invalid text or label' },
  ARCHIVE_INVALID: { status: 400, title: 'The archive is corrupt or unsupported' },
  ARCHIVE_UNSAFE: { status: 400, title: 'The archive contains unsafe paths or is a decompression bomb' },
  DATASET_EMPTY: { status: 400, title: 'The file has no data rows or no labelled images' },
  DATASET_NOT_READY: { status: 409, title: 'The dataset version is still importing' },
  JOB_WAIT_TIMEOUT: { status: 504, title: 'The job did not finish within the wait time' },
  // models and endpoints
  MODEL_NOT_FOUND: { status: 404, title: 'No such model or model version' },
  ENDPOINT_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  MODEL_KIND_UNKNOWN: { status: 404, title: 'No such model kind on this server' },
  // LLM endpoints (C4/C5)
  LLM_GGUF_INVALID: { status: 400, title: 'The file is not a readable GGUF model' },
  LLM_MODEL_FILE_MISSING: { status: 409, title: "The model's GGUF file is no longer where it was registered" },
  LLM_EULA_REQUIRED: { status: 403, title: "The model's licence must be accepted first" },
  LLM_CONTEXT_OVERFLOW: { status: 400, title: 'The prompt plus the tokens to generate do not fit the context window' },
  LLM_FIM_UNSUPPORTED: { status: 400, title: 'The model has no fill-in-the-middle tokens' },
  // summarization (C6)
  SUMMARIZE_CONTEXT_TOO_SMALL: { status: 400, title: "The prompt, a chunk and the output budget do not fit the model's context window" },
  // text classification (Comprehend rules; each rule has its own code)
  TEXT_VALIDATION_FAILED: { status: 400, title: 'The labeled text data breaks several validation rules' },
  TEXT_FORMAT_UNSUPPORTED: { status: 400, title: 'The dataset format cannot be used for text classification' },
  TEXT_ROW_MALFORMED: { status: 400, title: 'A row of the labeled text file is malformed' },
  TEXT_COLUMN_MISSING: { status: 400, title: 'A text or label column named in the request is not in the file' },
  TEXT_EMPTY_DOCUMENT: { status: 400, title: 'A document has no text' },
  TEXT_DOCUMENT_TOO_LARGE: { status: 400, title: 'A document is larger than the size limit' },
  TEXT_EMPTY_LABEL: { status: 400, title: 'A document has no label or an empty label' },
  TEXT_LABEL_WHITESPACE: { status: 400, title: 'A label has leading or trailing spaces' },
  TEXT_LABEL_TOO_LONG: { status: 400, title: 'A label is longer than 5,000 characters' },
  TEXT_DELIMITER_INVALID: { status: 400, title: 'The multi-label delimiter is not an allowed character' },
  TEXT_TOO_FEW_CLASSES: { status: 400, title: 'Multi-class training needs at least two classes' },
  TEXT_TOO_MANY_CLASSES: { status: 400, title: 'More classes than the limit (1,000 multi-class, 100 multi-label)' },
  TEXT_TOO_FEW_EXAMPLES: { status: 400, title: 'A label has fewer documents than the minimum' },
  TEXT_TOO_FEW_DOCUMENTS: { status: 400, title: 'Too few documents to train' },
  TEXT_TEST_LABEL_MISSING: { status: 400, title: 'The test set lacks a training label' },
  TEXT_UNKNOWN_LABEL: { status: 400, title: 'The data has labels the model does not know' },
  // prediction quality (tuning, experiments, dataset edits)
  TUNING_REPORT_NOT_FOUND: { status: 404, title: 'The model version has not been tuned yet' },
  DATASET_EDIT_ROW_UNKNOWN: { status: 400, title: 'An edit names a row that is not a data row of the dataset version' },
  DATASET_NOT_EDITABLE: { status: 400, title: 'The dataset version cannot be edited row by row' },
  // image classification (C3)
  IMAGE_UNREADABLE: { status: 400, title: 'An image file is corrupt, truncated or not an image' },
  IMAGE_TOO_SMALL: { status: 400, title: 'An image is smaller than 32 pixels on a side' },
  IMAGE_FORMAT_UNSUPPORTED: { status: 400, title: 'The image format is not JPEG, PNG or WebP' },
  IMAGE_EXPORT_FAILED: { status: 500, title: 'The image model could not be exported to ONNX' },
  IMAGE_DATASET_UNSUPPORTED: { status: 400, title: 'The dataset version is not a zip of images' },
  IMAGE_COLUMN_MISSING: { status: 400, title: 'A label or group column named in the request is not in the manifest' },
  IMAGE_TOO_FEW_LABELS: { status: 400, title: 'Image classification needs at least two labels' },
  IMAGE_TOO_FEW_IMAGES: { status: 400, title: 'A label has fewer than 2 images (or 2 groups) to train and test on' },
  IMAGE_BACKBONE_MISSING: { status: 500, title: 'The image backbone ONNX file was not found' },
  IMAGE_BACKBONE_CHECKSUM: { status: 500, title: 'The bundled image backbone does not match its pinned sha256' },
  IMAGE_MANIFEST_PATHS: { status: 400, title: 'A local image manifest names files that are missing or not allowed' },
  // FHIR R4 store (C7)
  FHIR_RESOURCE_INVALID: { status: 400, title: 'The FHIR resource does not conform to the R4 structure' },
  FHIR_RESOURCE_TYPE_UNKNOWN: { status: 404, title: 'Not a FHIR R4 resource type' },
  FHIR_NOT_FOUND: { status: 404, title: 'No FHIR resource with this type and id' },
  FHIR_GONE: { status: 410, title: 'The FHIR resource was deleted' },
  FHIR_SEARCH_INVALID: { status: 400, title: 'The FHIR search has an unknown parameter or an invalid value' },
  FHIR_BUNDLE_INVALID: { status: 400, title: 'The FHIR Bundle cannot be processed' },
  FHIR_PRECONDITION_FAILED: { status: 412, title: 'A FHIR version or conditional precondition failed' },
  FHIR_REMOTE_UNAVAILABLE: { status: 502, title: 'The external FHIR server cannot be reached or failed' },
  FHIR_REMOTE_REJECTED: { status: 502, title: 'The external FHIR server refused the request' },
  FHIR_SERVER_NOT_ALLOWED: { status: 400, title: 'The FHIR server URL may not be contacted (scheme or address not allowed)' },
  // CQL payer rules (C7)
  CQL_TRANSLATION_FAILED: { status: 400, title: 'The CQL library did not compile to ELM' },
  CQL_ELM_INVALID: { status: 400, title: 'The uploaded ELM JSON is not a usable ELM library' },
  CQL_EXECUTION_FAILED: { status: 400, title: 'The rule library failed while running on the patient data' },
  RULE_NOT_FOUND: { status: 404, title: 'No such rule library' },
  RULE_BUILTIN: { status: 409, title: 'Built-in rule libraries cannot be replaced or deleted' },
  RULE_IN_USE: { status: 409, title: 'Another rule library includes this one' },
  RULE_POLICY_INVALID: { status: 400, title: 'The policy table has invalid rows' },
  RULE_TEST_INPUT_INVALID: { status: 400, title: 'The rule test needs a patient (id or Bundle) and an order resource' },
  // CDS Hooks / Da Vinci CRD (C7)
  CDS_SERVICE_NOT_FOUND: { status: 404, title: 'No CDS service with this id' },
  CDS_REQUEST_INVALID: { status: 400, title: 'The CDS Hooks request or feedback body is invalid' },
  CDS_HOOK_MISMATCH: { status: 400, title: 'The request names a different hook than the service handles' },
  CDS_JWT_REQUIRED: { status: 401, title: 'A CDS client JWT is required' },
  CDS_JWT_INVALID: { status: 401, title: 'The CDS client JWT is not valid' },
  CDS_JWT_REPLAYED: { status: 401, title: 'The CDS client JWT id (jti) was already used' },
  CDS_PREFETCH_UNAVAILABLE: { status: 412, title: 'Needed data was neither prefetched nor fetchable from the FHIR server' },
  CDS_CORS_ORIGIN_DENIED: { status: 403, title: 'The browser origin is not allowed to call the CDS services' },
  CDS_CALL_NOT_FOUND: { status: 404, title: 'No such CDS hook call in the audit log' },
  // feature store (C8)
  FEATURE_GROUP_NOT_FOUND: { status: 404, title: 'No such feature group' },
  FEATURE_GROUP_INVALID: { status: 400, title: 'The feature group definition or schema change is invalid' },
  FEATURE_RECORD_INVALID: { status: 400, title: 'Feature records failed validation; nothing was stored' },
  FEATURE_RECORD_NOT_FOUND: { status: 404, title: 'No feature record with this record id in the group' },
  FEATURE_ENTITIES_INVALID: { status: 400, title: 'The entity list for point-in-time retrieval is invalid' },
  FEATURE_ONLINE_UNAVAILABLE: { status: 503, title: 'The Redis online store of the feature store did not answer' },
  // model registry governance + webhooks (C8)
  MODEL_APPROVAL_INVALID: { status: 400, title: 'The approval status or reason is invalid' },
  MODEL_APPROVAL_CONFLICT: { status: 409, title: 'Only a ready model version can be approved' },
  MODEL_ALIAS_INVALID: { status: 400, title: 'The alias name is not allowed' },
  MODEL_ALIAS_NOT_FOUND: { status: 404, title: 'The model has no such alias' },
  MODEL_TAG_INVALID: { status: 400, title: 'A tag key or value is invalid, or there are too many tags' },
  MODEL_CARD_INVALID: { status: 400, title: 'A model card field is too long' },
  MODEL_DEPLOY_CONFIG_INVALID: { status: 400, title: 'The deployOnApproval endpoint name is not allowed' },
  WEBHOOK_INVALID: { status: 400, title: 'The webhook registration is invalid' },
  WEBHOOK_URL_NOT_ALLOWED: { status: 400, title: 'The webhook URL may not be contacted' },
  WEBHOOK_URL_TIMEOUT: { status: 504, title: 'The webhook URL did not answer in time' },
  WEBHOOK_DELIVERY_FAILED: { status: 502, title: 'The webhook URL did not accept the delivery' },
  WEBHOOK_NOT_FOUND: { status: 404, title: 'No such webhook' },
  // pipelines (C8)
  PIPELINE_INVALID: { status: 400, title: 'The pipeline definition is invalid; nothing was stored' },
  PIPELINE_NOT_FOUND: { status: 404, title: 'No such pipeline or pipeline version' },
  PIPELINE_PARAM_INVALID: { status: 400, title: 'The run parameters are invalid' },
  PIPELINE_RUN_NOT_FOUND: { status: 404, title: 'No such pipeline run (or step)' },
  PIPELINE_RUN_FINISHED: { status: 409, title: 'The pipeline run has already finished' },
  PIPELINE_WAIT_TIMEOUT: { status: 504, title: 'The pipeline run did not finish within the wait time' },
  PIPELINE_SCRIPT_INVALID: { status: 400, title: 'The command step script is not a file inside the pipeline scripts folder' },
  PIPELINE_COMMAND_FAILED: { status: 500, title: 'The command step script failed' },
  PIPELINE_REF_MISSING: { status: 500, title: 'A step input references a value the earlier step did not produce' },
  PIPELINE_STEP_INTERRUPTED: { status: 500, title: 'A non-idempotent step was running when its server or worker stopped' },
  PIPELINE_STEP_TIMEOUT: { status: 504, title: 'A step ran longer than its timeoutSeconds' },
  PIPELINE_STEP_CANCELLED: { status: 409, title: 'A step\'s job was cancelled outside the pipeline' },
  PIPELINE_RUN_CANCELLED: { status: 409, title: 'The pipeline run was cancelled' },
  PIPELINE_APPROVAL_REJECTED: { status: 409, title: 'The model version a pipeline waited on was rejected' },
  PIPELINE_FAIL_STEP: { status: 422, title: 'The pipeline reached a fail step' },
  // labeling and verification (C8 part 2)
  LABELING_JOB_NOT_FOUND: { status: 404, title: 'No such labeling or verification job' },
  LABELING_JOB_INVALID: { status: 400, title: 'The labeling or verification job cannot be made; nothing was stored' },
  LABELING_TASK_NOT_FOUND: { status: 404, title: 'The labeling job has no such task' },
  LABELING_TASK_INVALID: { status: 400, title: 'The saved task does not fit its job (boxes or decision); nothing was stored' },
  LABELING_BOXES_INVALID: { status: 400, title: 'Boxes are outside the image, have zero area or an unknown class; nothing was stored' },
  LABELING_NOT_ASSIGNED: { status: 403, title: 'The image is assigned to another labeler or verifier' },
  LABELING_VERIFIER_IS_LABELER: { status: 403, title: 'The verifier must be a different person from the labeler' },
  LABELING_TASK_LOCKED: { status: 409, title: 'The image is being verified; its labels cannot change in the labeling job' },
  LABELING_INBOX_INVALID: { status: 400, title: 'The feedback inbox image is invalid; nothing was stored' },
  // object detection data (C8 part 2)
  DETECTION_LABELS_INVALID: { status: 400, title: 'Detection labels have invalid rows (box outside the image, zero area, unknown class, missing image)' },
  DETECTION_IMAGE_UNREADABLE: { status: 400, title: 'A file of the detection set is not a readable image' },
  DETECTION_PATH_UNSAFE: { status: 400, title: 'A detection label file names a path outside its folder' },
  DETECTION_FORMAT_UNKNOWN: { status: 400, title: 'The folder or archive is not a detection set layout Sagebrush reads' },
  DETECTION_DATASET_NOT_FOUND: { status: 404, title: 'No such detection dataset (or image in it)' },
  DETECTION_MODEL_NOT_FOUND: { status: 404, title: 'No such detector model (or version)' },
  DETECTION_TOO_FEW_IMAGES: { status: 400, title: 'Too few labeled images to train and hold out a test split' },
  DETECTION_TRAIN_FAILED: { status: 500, title: 'The detector trainer (Python) failed' },
  DETECTION_MODEL_INVALID: { status: 500, title: 'The detector ONNX file does not follow the detector contract' },
  PYTHON_TORCH_MISSING: { status: 503, title: 'No Python interpreter on this machine can import torch' },
  // fine-tuning (issue 16)
  FINETUNE_NOT_FOUND: { status: 404, title: 'No such fine-tuning run (or upload, or checkpoint)' },
  FINETUNE_UNKNOWN_ARCHITECTURE: { status: 422, title: 'The base model is not a llama-architecture model the trainer knows' },
  FINETUNE_BAD_MODEL: { status: 422, title: 'The base model or its tokenizer cannot be read by the trainer' },
  FINETUNE_DATA_INVALID: { status: 422, title: 'The fine-tuning data has bad rows (invalid JSON, empty text, a row over the context)' },
  FINETUNE_PARALLEL_INVALID: { status: 422, title: 'The parallelism or batch sizes do not fit the model or each other' },
  FINETUNE_WORLD_SIZE_TOO_LARGE: { status: 422, title: 'The world size is larger than the allocation' },
  FINETUNE_PARTITION_UNKNOWN: { status: 422, title: 'The Slurm partition does not exist' },
  FINETUNE_CONFIG_INVALID: { status: 422, title: 'The trainer refused a field of the run config' },
  FINETUNE_LAUNCHER_UNAVAILABLE: { status: 503, title: 'The launcher (torchrun or Slurm) is not available on this machine' },
  FINETUNE_WORKER_FAILED: { status: 500, title: 'A training worker died or stopped reporting; the run was stopped' },
  FINETUNE_TRAINER_FAILED: { status: 500, title: 'The trainer failed' },
  FINETUNE_NO_CHECKPOINT: { status: 409, title: 'The run has no checkpoint yet' },
  FINETUNE_EXPORT_FAILED: { status: 500, title: 'Exporting the checkpoint to GGUF failed' },
  // edge (issue 15)
  EDGE_FLEET_INVALID: { status: 400, title: 'The fleet settings are invalid' },
  EDGE_FLEET_NOT_FOUND: { status: 404, title: 'No such fleet' },
  EDGE_DEVICE_NOT_FOUND: { status: 404, title: 'No such device in the fleet' },
  EDGE_DEVICE_TOKEN_INVALID: { status: 401, title: 'A valid device token is required' },
  EDGE_DEVICE_REVOKED: { status: 401, title: 'The device token was revoked' },
  EDGE_DEPLOYMENT_INVALID: { status: 400, title: 'The model version cannot be deployed to the fleet' },
  EDGE_MODEL_NOT_DEPLOYED: { status: 404, title: 'The model version is not deployed to the device\'s fleet' },
  EDGE_MODEL_CHECKSUM_MISMATCH: { status: 502, title: 'A downloaded model does not match its sha256' },
  EDGE_MODEL_LOAD_FAILED: { status: 500, title: 'The agent could not load a downloaded model' },
  EDGE_INFERENCE_FAILED: { status: 500, title: 'The model failed on an image on the device' },
  EDGE_IMAGE_UNREADABLE: { status: 400, title: 'A file in the watched folder is not a readable image' },
  EDGE_UPLOAD_INVALID: { status: 400, title: 'A batch of results, a heartbeat or a feedback image from a device is invalid' },
  EDGE_QUEUE_FULL: { status: 507, title: 'The agent\'s on-disk queue is over its cap' },
  EDGE_SERVER_UNREACHABLE: { status: 503, title: 'The agent cannot reach the server' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem found while validating input: where it is, what is wrong, and how to fix it. */
export interface Problem {
  row?: number;
  field?: string;
  problem: string;
  fix: string;
  severity?: 'error' | 'warning';
  /** The rule that was broken, when it has its own documented code (e.g. TEXT_TOO_FEW_EXAMPLES). */
  code?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { problems?: Problem[]; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.problems = options.problems;
    this.extra = options.extra;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
