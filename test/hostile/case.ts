/**
 * One hostile case: a request built from the environment, the documented outcome (HTTP status and the `code`
 * from src/core/errors.ts ERROR_CODES, or a success status where the input is legal but odd), and optional extra
 * checks. `outcomeProblems` compares a reply with the outcome; it never accepts a 5xx.
 */
import type { Env, Reply } from './harness.ts';

export type Group = 'files' | 'archives' | 'bodies' | 'tokens' | 'names' | 'paths' | 'cds';

export interface Outcome {
  /** One status, or the few that are all correct (e.g. a refused path: 401 or 404). */
  status: number | number[];
  /** Error code (problem+json `code`, or the OperationOutcome coding on CDS/FHIR routes); several when status is several. */
  code?: string | string[];
}

export interface HostileCase {
  group: Group;
  name: string;
  send(env: Env): Promise<Reply>;
  expect: Outcome;
  /** Extra assertions; return a list of problems ([] when fine). */
  check?(reply: Reply, env: Env): string[] | Promise<string[]>;
}

export const ok = (status = 200): Outcome => ({ status });
export const err = (status: number, code: string): Outcome => ({ status, code });

/** The error code of a problem+json body or of an OperationOutcome (CDS Hooks and FHIR routes). */
export function codeOf(reply: Reply): string | undefined {
  try {
    const body = JSON.parse(reply.body) as { code?: unknown; resourceType?: string; issue?: Array<{ details?: { coding?: Array<{ code?: string }> } }> };
    if (typeof body.code === 'string') return body.code;
    if (body.resourceType === 'OperationOutcome') return body.issue?.[0]?.details?.coding?.[0]?.code;
  } catch {
    return undefined;
  }
  return undefined;
}

export function outcomeProblems(reply: Reply, want: Outcome): string[] {
  const statuses = Array.isArray(want.status) ? want.status : [want.status];
  const codes = want.code === undefined ? undefined : Array.isArray(want.code) ? want.code : [want.code];
  const code = codeOf(reply);
  const got = `${reply.status}${code ? ` ${code}` : ''}`;
  const expected = `${statuses.join('|')}${codes ? ` ${codes.join('|')}` : ''}`;
  const problems: string[] = [];
  if (reply.status >= 500) problems.push(`server error ${got}: ${reply.body.slice(0, 300)}`);
  else if (!statuses.includes(reply.status) || (codes && (!code || !codes.includes(code)))) problems.push(`expected ${expected}, got ${got}: ${reply.body.slice(0, 300)}`);
  if (reply.framing) problems.push(`broken response framing: ${reply.framing}`);
  if (reply.status >= 400 && reply.status < 500 && codes) {
    const type = String(reply.headers['content-type'] ?? '');
    if (!/problem\+json|application\/json|fhir\+json/.test(type)) problems.push(`error answered with content-type ${type || '(none)'}`);
  }
  return problems;
}

/** The JSON body of a reply (undefined when it is not JSON). */
export function json<T = Record<string, unknown>>(reply: Reply): T | undefined {
  try {
    return JSON.parse(reply.body) as T;
  } catch {
    return undefined;
  }
}
