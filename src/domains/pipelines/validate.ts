/**
 * Apply-time validation of a pipeline definition. Every problem names its field (`steps.train.inputs.dataset`,
 * `parameters.minF1.default`): schema errors, duplicate or dangling step names, cycles, references to unknown
 * parameters or to outputs a step does not produce (checked against the job registry's result schemas), unknown job
 * types, condition operands of the wrong type. Nothing is stored unless the whole definition passes.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import type { JobDefinition } from '../../jobs/registry.ts';
import { expandKnown, stepOutputSchema } from './outputs.ts';
import { checkTriggers } from './triggers.ts';
import { findRefs, scalarType, walkSchema, wholeRef, type JsonSchema, type Ref } from './refs.ts';
import { APPROVAL_STATUSES, definitionSchema, type ConditionExpr, type PipelineDefinition, type StepDefinition } from './schema.ts';

const FIX_SCHEMA = 'See the pipeline definition format in src/domains/pipelines/README.md.';

/** `steps.<name>.<rest>` for a zod path into the steps array (the index when the step has no usable name). */
function fieldOf(path: PropertyKey[], input: unknown): string {
  const parts = path.map(String);
  if (parts[0] === 'steps' && parts[1] !== undefined) {
    const steps = (input as { steps?: Array<{ name?: unknown }> }).steps;
    const n = steps?.[Number(parts[1])]?.name;
    return ['steps', typeof n === 'string' && n ? n : `[${parts[1]}]`, ...parts.slice(2)].join('.');
  }
  return parts.join('.');
}

/** The step names a step waits for: dependsOn, every step it references, and the condition whose branch lists it. */
export function dependenciesOf(step: StepDefinition, def: PipelineDefinition): string[] {
  const deps = new Set(step.dependsOn);
  for (const { ref } of findRefs(stepValues(step), '')) if (ref.kind === 'step') deps.add(ref.step);
  for (const c of def.steps) if (c.type === 'condition' && (c.then.includes(step.name) || c.else.includes(step.name))) deps.add(c.name);
  return [...deps];
}

/** The parts of a step that may hold references. */
export function stepValues(step: StepDefinition): Record<string, unknown> {
  if (step.type === 'condition') return { if: step.if };
  return { inputs: step.inputs };
}

function exprOperands(e: ConditionExpr, field: string): Array<{ field: string; value: unknown; other: unknown; op: string }> {
  if ('and' in e) return e.and.flatMap((x, i) => exprOperands(x, `${field}.and[${i}]`));
  if ('or' in e) return e.or.flatMap((x, i) => exprOperands(x, `${field}.or[${i}]`));
  if ('not' in e) return exprOperands(e.not, `${field}.not`);
  return [{ field: `${field}.left`, value: e.left, other: e.right, op: e.op }, { field: `${field}.right`, value: e.right, other: e.left, op: e.op }];
}

export function validateDefinition(input: unknown, definitions: Map<string, JobDefinition<unknown, unknown>>): PipelineDefinition {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ field: fieldOf(i.path, input) || '(root)', problem: i.message, fix: FIX_SCHEMA }));
    throw invalid(problems);
  }
  const def = parsed.data;
  const problems: Problem[] = [];
  const add = (field: string, problem: string, fix: string) => problems.push({ field, problem, fix });
  // The API's static paths under /pipelines/ (runs, lineage) would shadow pipelines with these names.
  if (['runs', 'lineage'].includes(def.name)) add('name', `"${def.name}" is reserved`, 'Choose another pipeline name.');
  const byName = new Map<string, StepDefinition>();
  for (const s of def.steps) {
    if (byName.has(s.name)) add(`steps.${s.name}.name`, `two steps are named "${s.name}"`, 'Give every step a unique name.');
    byName.set(s.name, s);
  }
  for (const [k, p] of Object.entries(def.parameters)) {
    if (p.default !== undefined && !fitsType(p.default, p.type)) add(`parameters.${k}.default`, `the default ${JSON.stringify(p.default)} is not a ${p.type}`, `Use a ${p.type} default or change the type.`);
  }
  const outputSchemas = new Map<string, JsonSchema | undefined>();
  for (const s of def.steps) {
    if ('jobType' in s && !definitions.has(s.jobType)) {
      add(`steps.${s.name}.jobType`, `no job type "${s.jobType}" is registered`, `Use one of: ${[...definitions.keys()].sort().join(', ')} (GET /api/v1/jobs/types).`);
    }
    outputSchemas.set(s.name, stepOutputSchema(s, definitions));
    for (const d of s.dependsOn) if (!byName.has(d)) add(`steps.${s.name}.dependsOn`, `depends on "${d}", which is not a step of this pipeline`, `Use one of: ${[...byName.keys()].join(', ')}.`);
    if (s.type === 'condition') {
      for (const b of ['then', 'else'] as const) for (const t of s[b]) if (!byName.has(t)) add(`steps.${s.name}.${b}`, `names "${t}", which is not a step of this pipeline`, `Use one of: ${[...byName.keys()].join(', ')}.`);
    }
    if ((s.type === 'register' && !wholeRef(s.inputs.approval)) || (s.type === 'approval' && s.inputs.status !== undefined && !wholeRef(s.inputs.status))) {
      const v = s.type === 'register' ? s.inputs.approval : s.inputs.status;
      if (!(APPROVAL_STATUSES as readonly string[]).includes(String(v))) add(`steps.${s.name}.inputs.${s.type === 'register' ? 'approval' : 'status'}`, `"${String(v)}" is not an approval status`, `Use one of: ${APPROVAL_STATUSES.join(', ')}.`);
    }
  }
  const typeOfRef = (ref: Ref, field: string, owner: StepDefinition): ReturnType<typeof scalarType> | 'invalid' => {
    if (ref.kind === 'bad') return add(field, ref.problem, 'Write ${{ params.NAME }} or ${{ steps.STEP.outputs.FIELD }}.'), 'invalid';
    if (ref.kind === 'param') {
      const p = def.parameters[ref.name];
      if (!p) return add(field, `unknown parameter "${ref.name}"`, `Declare it under parameters, or use one of: ${Object.keys(def.parameters).join(', ') || '(none declared)'}.`), 'invalid';
      return p.type === 'integer' ? 'number' : p.type;
    }
    if (!byName.has(ref.step)) return add(field, `references step "${ref.step}", which is not a step of this pipeline`, `Use one of: ${[...byName.keys()].join(', ')}.`), 'invalid';
    if (ref.step === owner.name) return add(field, `step "${owner.name}" references its own outputs`, 'Reference an earlier step.'), 'invalid';
    const schema = outputSchemas.get(ref.step);
    if (!schema) return null; // an unknown job type, reported above
    const r = walkSchema(schema, ref.path, expandKnown);
    if (!r.ok) return add(field, `step "${ref.step}" does not produce ${ref.path.join('.')}: ${r.problem}`, `Reference an output the "${ref.step}" step produces (job result schemas: GET /api/v1/jobs/types).`), 'invalid';
    return scalarType(r.schema);
  };
  for (const s of def.steps) {
    if (s.type !== 'condition') {
      for (const { field, ref } of findRefs(stepValues(s), `steps.${s.name}`)) typeOfRef(ref, field, s);
      continue;
    }
    for (const o of exprOperands(s.if, `steps.${s.name}.if`)) {
      const ref = wholeRef(o.value);
      if (!ref) for (const f of findRefs(o.value, o.field)) typeOfRef(f.ref, f.field, s);
      const t = ref ? typeOfRef(ref, o.field, s) : (typeof o.value as 'number' | 'string' | 'boolean');
      const ot = wholeRef(o.other) ? null : typeof o.other;
      if (!t || t === 'invalid') continue;
      if (['gt', 'gte', 'lt', 'lte'].includes(o.op) && t !== 'number') add(o.field, `"${o.op}" compares numbers, but this operand is a ${t}`, 'Compare a numeric output or parameter, or use eq / ne.');
      else if (ref && ot && ot !== t) add(o.field, `compared with a ${ot}, but this operand is a ${t}`, `Compare with a ${t}.`);
    }
  }
  if (problems.length === 0) checkCycles(def, add);
  if (def.triggers) problems.push(...checkTriggers(def.triggers));
  if (problems.length > 0) throw invalid(problems);
  return def;
}

function checkCycles(def: PipelineDefinition, add: (field: string, problem: string, fix: string) => void): void {
  const deps = new Map(def.steps.map((s) => [s.name, dependenciesOf(s, def)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): boolean => {
    if (state.get(n) === 'done') return false;
    if (state.get(n) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(n)), n];
      add(`steps.${n}.dependsOn`, `the steps form a cycle: ${cycle.join(' → ')}`, 'Remove one of these dependencies or references so the steps form a DAG.');
      return true;
    }
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) if (visit(d)) return true;
    stack.pop();
    state.set(n, 'done');
    return false;
  };
  for (const s of def.steps) if (visit(s.name)) return;
}

export function fitsType(v: unknown, type: string): boolean {
  if (type === 'integer') return typeof v === 'number' && Number.isInteger(v);
  return typeof v === type && !(typeof v === 'number' && !Number.isFinite(v));
}

function invalid(problems: Problem[]): AppError {
  const list = problems.slice(0, 10).map((p) => `${p.field}: ${p.problem}`).join('; ');
  return new AppError('PIPELINE_INVALID', `The pipeline definition is invalid: ${list}`, { problems });
}
