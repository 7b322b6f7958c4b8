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
  UNAUTHORIZED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The token is not allowed to do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  CONFLICT: { status: 409, title: 'The resource is in a state that forbids this' },
  ALREADY_EXISTS: { status: 409, title: 'A resource with this name already exists' },
  IN_USE: { status: 409, title: 'The resource is used by another resource' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The upload is larger than the configured limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests; retry later' },
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
  // datasets and files
  DATASET_NOT_FOUND: { status: 404, title: 'No such dataset or dataset version' },
  FILE_EMPTY: { status: 400, title: 'The file is empty' },
  FILE_BINARY: { status: 400, title: 'The file is binary where text was expected' },
  FILE_ENCODING: { status: 400, title: 'The file is not valid UTF-8' },
  FILE_FORMAT_UNKNOWN: { status: 400, title: 'The file format could not be detected' },
  CSV_MALFORMED: { status: 400, title: 'The CSV/TSV file is malformed' },
  JSONL_MALFORMED: { status: 400, title: 'A JSON Lines row is not valid JSON' },
  ARCHIVE_INVALID: { status: 400, title: 'The archive is corrupt or unsupported' },
  ARCHIVE_UNSAFE: { status: 400, title: 'The archive contains unsafe paths or is a decompression bomb' },
  DATASET_EMPTY: { status: 400, title: 'The file has no data rows or no labelled images' },
  DATASET_NOT_READY: { status: 409, title: 'The dataset version is still importing' },
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
