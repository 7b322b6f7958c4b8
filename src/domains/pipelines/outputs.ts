/**
 * The typed outputs of each step kind, as JSON Schema: a job step's are its job type's result schema from the
 * job registry (GET /api/v1/jobs/types), a command step's are its declared outputs, the built-in steps' are fixed.
 * Validation (validate.ts) walks them so a reference to a field a step does not produce is refused at apply time.
 */
import { z } from 'zod';
import { describeJobType, type JobDefinition } from '../../jobs/registry.ts';
import type { JsonSchema } from './refs.ts';
import type { StepDefinition } from './schema.ts';

const modelRef = z.object({ id: z.string(), name: z.string(), version: z.number().int() });
const toSchema = (s: z.ZodType): JsonSchema => z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as JsonSchema;

const BUILTIN: Record<string, JsonSchema> = {
  condition: toSchema(z.object({ result: z.boolean() })),
  register: toSchema(z.object({ model: modelRef, approval: z.string() })),
  approval: toSchema(z.object({ model: modelRef, approval: z.string() })),
  alias: toSchema(z.object({ model: modelRef, alias: z.string() })),
  deploy: toSchema(z.object({ endpoint: z.object({ name: z.string() }), model: modelRef })),
  fail: toSchema(z.object({})),
};

/**
 * Nested blobs that job results declare only as "an object" (registry.ts jsonObject) but whose fields pipelines
 * compare on: known here by the description the result schema gives them, so `metrics.macro_f2` is refused.
 */
const classificationReport = toSchema(
  z.object({
    mode: z.string(), labels: z.array(z.string()), n_documents: z.number().int(), accuracy: z.number(), precision_macro: z.number(),
    recall_macro: z.number(), macro_f1: z.number(), micro_precision: z.number(), micro_recall: z.number(), micro_f1: z.number(),
    hamming_loss: z.number().optional(), mean_auc: z.number().nullable(), per_label: z.record(z.string(), z.record(z.string(), z.unknown())),
    confusion_matrix: z.array(z.unknown()), thresholds: z.array(z.number()).optional(), abstained: z.number().optional(),
    n_train: z.number().int().optional(), n_test: z.number().int().optional(), train_seconds: z.number().optional(),
  }).strict(),
);
const KNOWN_BLOBS: Array<[prefix: string, schema: JsonSchema]> = [['Classification report', classificationReport]];

/** Replaces a described open object with its known shape (walkSchema calls it at each level). */
export function expandKnown(s: JsonSchema): JsonSchema {
  if (!s.description || (s.properties && Object.keys(s.properties).length > 0)) return s;
  return KNOWN_BLOBS.find(([prefix]) => s.description!.startsWith(prefix))?.[1] ?? s;
}

/** The output schema of a step, or undefined for a job step whose type is not registered. */
export function stepOutputSchema(step: StepDefinition, definitions: Map<string, JobDefinition<unknown, unknown>>): JsonSchema | undefined {
  if ('jobType' in step) {
    const def = definitions.get(step.jobType);
    return def ? (describeJobType(def).result as JsonSchema) : undefined;
  }
  if (step.type === 'command') {
    const props = Object.fromEntries(Object.entries(step.outputs).map(([k, t]) => [k, { type: t }]));
    return { type: 'object', properties: props, required: Object.keys(props), additionalProperties: false };
  }
  return BUILTIN[step.type];
}
