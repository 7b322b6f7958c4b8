/**
 * The steps the orchestrator runs itself (no job): condition, register, approval, alias, deploy, fail. Each is
 * idempotent (setting a status or an alias again, re-pointing an endpoint to the same version), so one left
 * running by a crashed server is simply run again. The model registry and endpoints are reached only through the
 * narrow ports below, which the app wires (src/app/services.ts).
 */
import { AppError } from '../../core/errors.ts';
import { resolveRefs, type RefScope } from './refs.ts';
import type { ApprovalStatus, ConditionExpr, StepDefinition, StepError } from './schema.ts';

export interface ModelRef { id: string; name: string; version: number; datasetVersionId: string | null }

/** Model-registry governance a pipeline needs (the model registry implements it). */
export interface PipelineRegistryPort {
  resolve(ref: string): Promise<ModelRef>;
  approval(modelId: string): Promise<ApprovalStatus>;
  setApproval(modelId: string, status: ApprovalStatus, by: string): Promise<void>;
  setAlias(modelId: string, alias: string, by: string): Promise<void>;
}

/** Creates the endpoint on the model version, or re-points it when it exists. */
export interface PipelineEndpointsPort {
  deploy(endpoint: string, modelId: string): Promise<'created' | 'updated'>;
}

export type InlineOutcome = { status: 'succeeded'; outputs: Record<string, unknown> } | { status: 'waiting' } | { status: 'failed'; error: StepError };

function evaluate(e: ConditionExpr): boolean {
  if ('and' in e) return e.and.every(evaluate);
  if ('or' in e) return e.or.some(evaluate);
  if ('not' in e) return !evaluate(e.not);
  const { left: l, right: r } = e;
  switch (e.op) {
    case 'eq': return l === r;
    case 'ne': return l !== r;
    case 'gt': return Number(l) > Number(r);
    case 'gte': return Number(l) >= Number(r);
    case 'lt': return Number(l) < Number(r);
    case 'lte': return Number(l) <= Number(r);
  }
}

const ref = (m: ModelRef) => ({ id: m.id, name: m.name, version: m.version });

export interface InlineDeps {
  registry: PipelineRegistryPort;
  endpoints: PipelineEndpointsPort;
  /** Who the registry records as the actor, e.g. `pipeline:retrain-text/prun_…`. */
  actor: string;
  log(message: string): Promise<void>;
}

export async function runInline(step: StepDefinition, scope: RefScope, deps: InlineDeps): Promise<InlineOutcome> {
  if (step.type === 'condition') {
    const expr = resolveRefs(step.if, scope) as ConditionExpr;
    const result = evaluate(expr);
    await deps.log(`condition ${JSON.stringify(expr)} → ${result}`);
    return { status: 'succeeded', outputs: { result } };
  }
  const inputs = resolveRefs(step.inputs, scope) as Record<string, unknown>;
  const model = 'model' in inputs ? await deps.registry.resolve(String(inputs.model)) : undefined;
  switch (step.type) {
    case 'register': {
      // A version already decided (a cached training step gave the same version) keeps its decision.
      const current = await deps.registry.approval(model!.id);
      const status = current === 'PendingManualApproval' ? (String(inputs.approval) as ApprovalStatus) : current;
      if (status !== current) await deps.registry.setApproval(model!.id, status, deps.actor);
      await deps.log(current === status && current !== 'PendingManualApproval' ? `${model!.name}:${model!.version} is already ${current}` : `registered ${model!.name}:${model!.version} as ${status}`);
      return { status: 'succeeded', outputs: { model: ref(model!), approval: status } };
    }
    case 'approval': {
      if (inputs.status !== undefined) {
        await deps.registry.setApproval(model!.id, String(inputs.status) as ApprovalStatus, deps.actor);
        await deps.log(`set ${model!.name}:${model!.version} to ${String(inputs.status)}`);
        return { status: 'succeeded', outputs: { model: ref(model!), approval: String(inputs.status) } };
      }
      const approval = await deps.registry.approval(model!.id);
      if (approval === 'Approved') return { status: 'succeeded', outputs: { model: ref(model!), approval } };
      if (approval === 'Rejected') return { status: 'failed', error: { code: 'PIPELINE_APPROVAL_REJECTED', message: `Model ${model!.name}:${model!.version} was rejected.` } };
      return { status: 'waiting' };
    }
    case 'alias': {
      await deps.registry.setAlias(model!.id, String(inputs.alias), deps.actor);
      await deps.log(`alias ${String(inputs.alias)} → ${model!.name}:${model!.version}`);
      return { status: 'succeeded', outputs: { model: ref(model!), alias: String(inputs.alias) } };
    }
    case 'deploy': {
      const action = await deps.endpoints.deploy(String(inputs.endpoint), model!.id);
      await deps.log(`endpoint ${String(inputs.endpoint)} ${action} on ${model!.name}:${model!.version}`);
      return { status: 'succeeded', outputs: { endpoint: { name: String(inputs.endpoint) }, model: ref(model!) } };
    }
    case 'fail':
      return { status: 'failed', error: { code: 'PIPELINE_FAIL_STEP', message: String(inputs.message) } };
    default:
      throw new AppError('INTERNAL', `Step type ${step.type} is not run inline.`);
  }
}
