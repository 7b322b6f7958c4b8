/**
 * The one error → OperationOutcome converter, for the FHIR REST routes, FHIR batch entries and the CDS Hooks
 * routes (CDS Hooks recommends an OperationOutcome for non-2xx answers; CRD hook-9). The error code sets the
 * issue type (by code, else by HTTP status); the headline issue carries the message in `details.text` and
 * `diagnostics` (FHIR clients read the one, CDS clients the other) with the code in `details.coding`; each
 * Problem becomes an issue whose `expression` names the element (FHIRPath).
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../../core/errors.ts';

type IssueType = OperationOutcomeIssue['code'];

const ERRORS_SYSTEM = 'https://sagebrush.dev/errors';

const ISSUE_TYPE: Partial<Record<ErrorCode, IssueType>> = {
  FHIR_RESOURCE_INVALID: 'structure',
  FHIR_RESOURCE_TYPE_UNKNOWN: 'not-supported',
  FHIR_NOT_FOUND: 'not-found',
  FHIR_GONE: 'deleted',
  FHIR_SEARCH_INVALID: 'invalid',
  FHIR_BUNDLE_INVALID: 'invalid',
  FHIR_PRECONDITION_FAILED: 'conflict',
  FHIR_REMOTE_UNAVAILABLE: 'transient',
  FHIR_REMOTE_REJECTED: 'exception',
  VALIDATION_FAILED: 'invalid',
  BAD_REQUEST: 'invalid',
  UNAUTHORIZED: 'login',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  ROUTE_NOT_FOUND: 'not-supported',
  CONFLICT: 'conflict',
  ALREADY_EXISTS: 'duplicate',
  PAYLOAD_TOO_LARGE: 'too-costly',
  UNSUPPORTED_MEDIA_TYPE: 'not-supported',
  STORAGE_UNAVAILABLE: 'transient',
};

/** The issue type of codes without their own entry, from the HTTP status. */
function issueTypeOf(code: ErrorCode, status: number): IssueType {
  const own = ISSUE_TYPE[code];
  if (own) return own;
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 412) return 'not-found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'exception';
  return status === 400 ? 'invalid' : 'processing';
}

/** What the converter reads: an AppError's code, status, message and problems, or toProblem's body. */
export interface OutcomeSource {
  status: number;
  code: ErrorCode;
  detail: string;
  problems?: readonly Problem[] | undefined;
}

export function operationOutcome(severity: OperationOutcomeIssue['severity'], code: IssueType, text: string, expression?: string[]): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, details: { text } };
  if (expression) issue.expression = expression;
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

/**
 * An error as an OperationOutcome. An invalid resource with problems is answered with the problems alone (each
 * names its element); every other error starts with the headline issue.
 */
export function problemOutcome(source: OutcomeSource): OperationOutcome {
  const { status, code: errorCode, detail } = source;
  const code = issueTypeOf(errorCode, status);
  const coding = [{ system: ERRORS_SYSTEM, code: errorCode }];
  const problems = source.problems ?? [];
  const issues: OperationOutcomeIssue[] = [];
  if (problems.length === 0 || errorCode !== 'FHIR_RESOURCE_INVALID') {
    issues.push({ severity: status >= 500 ? 'fatal' : 'error', code, details: { text: detail, coding }, diagnostics: detail });
  }
  for (const p of problems) {
    const issue: OperationOutcomeIssue = {
      severity: p.severity === 'warning' ? 'warning' : 'error',
      code: /Missing required/i.test(p.problem) ? 'required' : code,
      details: { text: p.problem, coding },
      diagnostics: `${p.problem}. ${p.fix}`,
    };
    if (p.field) issue.expression = [p.field];
    issues.push(issue);
  }
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** An AppError as {status, OperationOutcome}. */
export function errorOutcome(err: AppError): { status: number; outcome: OperationOutcome } {
  const status = ERROR_CODES[err.code].status;
  return { status, outcome: problemOutcome({ status, code: err.code, detail: err.message, problems: err.problems }) };
}
