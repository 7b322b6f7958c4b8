/**
 * The pipelines domain's public surface (src/app and src/http import it only from here): the service (apply, runs,
 * lineage; its orchestrator), the ports it needs from the model registry, endpoints and datasets, the definition
 * types and builder, and the /api/v1/pipelines routes plugin with its dependencies.
 */
export { createPipelineService, parseDefinitionText, type PipelineService, type PipelineServiceDeps, type PipelineSummary, type StepLogLine } from './service.ts';
export type { PipelineEndpointsPort, PipelineRegistryPort, ModelRef } from './steps.ts';
export type { PipelineDatasetsPort } from './jobs.ts';
export type { PipelineDefinition, PipelineDefinitionInput, PipelineRun, PipelineStepRun, PipelineVersion, Trigger } from './schema.ts';
export { pipeline, ref } from './builder.ts';
export { pipelineRoutes, type PipelineRouteDeps } from './routes.ts';
