/**
 * FHIR errors are OperationOutcome resources. Every AppError maps to one: the code sets the HTTP status
 * and the issue type, each Problem becomes an issue whose `expression` names the element (FHIRPath).
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { AppError, ERROR_CODES, type ErrorCode } from '../../core/errors.ts';

type IssueType = OperationOutcomeIssue['code'];

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

export function operationOutcome(severity: OperationOutcomeIssue['severity'], code: IssueType, text: string, expression?: string[]): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, details: { text } };
  if (expression) issue.expression = expression;
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

/** An AppError as {status, OperationOutcome}; the first issue carries the whole message. */
export function errorOutcome(err: AppError): { status: number; outcome: OperationOutcome } {
  const status = ERROR_CODES[err.code].status;
  const code = ISSUE_TYPE[err.code] ?? (status >= 500 ? 'exception' : 'processing');
  const issues: OperationOutcomeIssue[] = [];
  const problems = err.problems ?? [];
  if (problems.length === 0 || err.code !== 'FHIR_RESOURCE_INVALID') {
    issues.push({ severity: status >= 500 ? 'fatal' : 'error', code, details: { text: err.message, coding: [{ system: 'https://sagebrush.dev/errors', code: err.code }] } });
  }
  for (const p of problems) {
    const issue: OperationOutcomeIssue = {
      severity: p.severity === 'warning' ? 'warning' : 'error',
      code: /Missing required/i.test(p.problem) ? 'required' : code,
      details: { text: p.problem, coding: [{ system: 'https://sagebrush.dev/errors', code: err.code }] },
      diagnostics: p.fix,
    };
    if (p.field) issue.expression = [p.field];
    issues.push(issue);
  }
  return { status, outcome: { resourceType: 'OperationOutcome', issue: issues } };
}

/** A short human text of an OperationOutcome (for errors coming back from a remote server). */
export function outcomeText(outcome: unknown): string | undefined {
  const o = outcome as OperationOutcome | null;
  if (o?.resourceType !== 'OperationOutcome' || !Array.isArray(o.issue)) return undefined;
  return o.issue
    .map((i) => [i.details?.text ?? i.diagnostics ?? i.code, i.expression?.length ? `(${i.expression.join(', ')})` : ''].filter(Boolean).join(' '))
    .join('; ');
}
