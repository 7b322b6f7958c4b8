/**
 * The typed job registry. `defineJob` declares one job type (payload and result schemas, handler, idempotency) and
 * checks it against the JobTypes table (types.ts), which each domain augments next to its definitions. The queue
 * (base.ts) uses the helpers here to refuse a bad payload at enqueue, to check a handler's result before it is
 * stored, and to read a stored result back typed, so one step's output can be a later step's input.
 */
import { z } from 'zod';
import { AppError, type Problem } from '../core/errors.ts';
import { problemSchema } from './schema.ts';
import type { Job, JobDefinition, JobDefinitionOf, JobType } from './types.ts';

export type { JobDefinition, JobDefinitionOf, JobPayload, JobResult, JobType, JobTypes } from './types.ts';

/** One job type's definition; its schemas must produce the payload and result types of its JobTypes entry. */
export function defineJob<T extends JobType>(definition: JobDefinitionOf<T>): JobDefinitionOf<T> {
  return definition;
}

/** A nested JSON object a result schema checks only as an object; its shape is the domain's TypeScript type. */
export function jsonObject<T>(description: string): z.ZodType<T> {
  return z.looseObject({}).describe(description) as unknown as z.ZodType<T>;
}

/** Shapes several domains' results share. */
export const modelRefSchema = z.object({ id: z.string(), name: z.string(), version: z.number().int() });
export const datasetRefSchema = z.object({ id: z.string(), version: z.number().int() });
export const problemsSchema: z.ZodType<Problem[]> = z.array(problemSchema.extend({ code: z.string().optional() }));

type Issue = { path: PropertyKey[]; message: string };

function toProblems(issues: Issue[], prefix: string, fix: string): Problem[] {
  return issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), problem: i.message, fix }));
}

const listed = (problems: Problem[]) => problems.slice(0, 10).map((p) => `${p.field || '(root)'}: ${p.problem}`).join('; ');

/** The payload as its schema parses it; VALIDATION_FAILED naming each bad field otherwise. */
export function parsePayload<P>(definition: JobDefinition<P, unknown>, payload: unknown): P {
  const r = definition.payload.safeParse(payload);
  if (r.success) return r.data;
  const problems = toProblems(r.error.issues, '', `Send a payload that matches the "${definition.type}" payload schema (GET /api/v1/jobs/types).`);
  throw new AppError('VALIDATION_FAILED', `Invalid payload for job type "${definition.type}": ${listed(problems)}`, { problems });
}

const resultFix = (type: string) => `A bug in the "${type}" handler: make it return what its result schema (GET /api/v1/jobs/types) describes.`;

/**
 * The handler's result as it will be stored (its JSON form: what a later read parses), checked against the result
 * schema. A wrong shape fails the job JOB_RESULT_INVALID instead of storing a result no reader can use.
 */
export function checkResult(definition: JobDefinition<unknown, unknown>, result: unknown): unknown {
  let json: unknown;
  try {
    json = result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
  } catch (err) {
    throw new AppError('JOB_RESULT_INVALID', `The "${definition.type}" handler returned a result that is not JSON: ${(err as Error).message}`, {
      problems: [{ field: 'result', problem: 'not JSON', fix: resultFix(definition.type) }],
    });
  }
  const r = definition.result.safeParse(json);
  if (r.success) return json;
  const problems = toProblems(r.error.issues, 'result', resultFix(definition.type));
  throw new AppError('JOB_RESULT_INVALID', `The "${definition.type}" handler returned a result that does not match its result schema: ${listed(problems)}`, { problems });
}

/** A succeeded job's stored result, parsed with its definition's result schema. */
export function jobResult<R>(job: Job, definition: JobDefinition<unknown, R>): R {
  const extra = { jobId: job.id };
  if (job.type !== definition.type) throw new AppError('JOB_NOT_FOUND', `Job ${job.id} is a ${job.type} job, not ${definition.type}.`, { extra });
  if (job.status !== 'succeeded') throw new AppError('CONFLICT', `Job ${job.id} is ${job.status}; its result exists once it has succeeded.`, { extra });
  const r = definition.result.safeParse(job.result);
  if (r.success) return r.data;
  const problems = toProblems(r.error.issues, 'result', `Re-run the job: its result was stored by a version whose "${definition.type}" result differs.`);
  throw new AppError('JOB_RESULT_INVALID', `The stored result of job ${job.id} does not match the "${definition.type}" result schema: ${listed(problems)}`, { problems, extra });
}

/** Whether this job (its payload) is safe to run again after a crash. */
export function isIdempotent<P>(definition: JobDefinition<P, unknown>, payload: P): boolean {
  return typeof definition.idempotent === 'function' ? definition.idempotent(payload) === true : definition.idempotent === true;
}

export interface JobTypeInfo {
  type: string;
  /** Always safe to re-run (false for a type that decides per payload, e.g. pipelines.command). */
  idempotent: boolean;
  /** JSON Schema of what enqueue accepts. */
  payload: Record<string, unknown>;
  /** JSON Schema of the stored result. */
  result: Record<string, unknown>;
}

/** A definition for discovery (GET /api/v1/jobs/types); parts JSON Schema cannot express are left open. */
export function describeJobType(definition: JobDefinition<unknown, unknown>): JobTypeInfo {
  return {
    type: definition.type,
    idempotent: definition.idempotent === true,
    payload: z.toJSONSchema(definition.payload, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    result: z.toJSONSchema(definition.result, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>,
  };
}
