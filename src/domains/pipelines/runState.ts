/**
 * Pure helpers of the orchestrator over a run's step rows: when a step is ready or off the taken branch, the
 * reference scope (params + finished steps' outputs), the worker name of an owner, and the canonical hash (cache keys,
 * definition and trigger versions).
 */
import { createHash } from 'node:crypto';
import { TERMINAL_STEP, type PipelineDefinition, type StepDefinition, type StepStatus } from './schema.ts';
import type { StepRow } from './store.ts';
import { dependenciesOf } from './validate.ts';

const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : v && typeof v === 'object'
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v) ?? 'null';
export const hashOf = (v: unknown) => createHash('sha256').update(canonical(v)).digest('hex');

export const workerOf = (owner: string | null) => {
  const o = owner ? (JSON.parse(owner) as { pid?: number; host?: string }) : null;
  return o ? `${o.host?.split(/[#:/]/)[0] ?? 'host'}/${o.pid}` : null;
};

/** Every dependency of the step has finished (any terminal status). */
export function ready(s: StepDefinition, def: PipelineDefinition, rows: StepRow[]): boolean {
  return dependenciesOf(s, def).every((n) => TERMINAL_STEP.includes(rows.find((r) => r.name === n)!.status as StepStatus));
}

/** A step on the branch its condition did not take. */
export function offBranch(s: StepDefinition, def: PipelineDefinition, rows: StepRow[]): boolean {
  return def.steps.some((c) => {
    if (c.type !== 'condition' || !(c.then.includes(s.name) || c.else.includes(s.name))) return false;
    const row = rows.find((r) => r.name === c.name)!;
    if (row.status !== 'succeeded') return false;
    const result = (JSON.parse(row.outputs_json ?? '{}') as { result?: boolean }).result === true;
    return c.then.includes(s.name) ? !result : result;
  });
}

/** What `${{ params.… }}` and `${{ steps.….outputs.… }}` resolve against. */
export function scope(paramsJson: string, rows: StepRow[]) {
  const outputs = Object.fromEntries(rows.filter((r) => r.status === 'succeeded').map((r) => [r.name, JSON.parse(r.outputs_json ?? 'null') as unknown]));
  return { params: JSON.parse(paramsJson) as Record<string, unknown>, outputs };
}
