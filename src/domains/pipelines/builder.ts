/**
 * Definitions as code: a small builder that produces the same definition a YAML file does (validated the same way
 * on apply). `ref.param('minF1')` and `ref.step('train', 'model.id')` write the `${{ … }}` references.
 *
 *   const def = pipeline('retrain', 'Retrain the classifier')
 *     .param('dataset', 'string').param('minF1', 'number', 0.6)
 *     .step({ name: 'data', type: 'processing', jobType: 'pipelines.dataset-version', inputs: { dataset: ref.param('dataset') } })
 *     .build();
 */
import type { ParamType, PipelineDefinitionInput } from './schema.ts';

type StepInput = PipelineDefinitionInput['steps'][number];

export const ref = {
  param: (name: string) => `\${{ params.${name} }}`,
  step: (step: string, path: string) => `\${{ steps.${step}.outputs.${path} }}`,
};

export function pipeline(name: string, description?: string) {
  const def: PipelineDefinitionInput = { name, ...(description ? { description } : {}), parameters: {}, steps: [] };
  const builder = {
    param(key: string, type: ParamType, defaultValue?: string | number | boolean) {
      def.parameters![key] = { type, ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
      return builder;
    },
    step(step: StepInput) {
      def.steps.push(step);
      return builder;
    },
    build: (): PipelineDefinitionInput => structuredClone(def),
  };
  return builder;
}
