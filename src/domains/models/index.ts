/**
 * The model registry's public surface (src/app and src/http import it only from here): the model service (versions,
 * artifacts, delete guards), the model-kind table every served kind registers in, and the /api/v1/models and
 * /api/v1/model-kinds routes plugin with its dependencies.
 */
export { createModelService, MODEL_NAME_PATTERN, parseModelRef, requireReadyModel, type ModelDeleteGuard, type ModelService, type ModelVersion } from './service.ts';
export {
  createModelKindRegistry,
  ModelKindRegistry,
  type EndpointRef,
  type InvocationContext,
  type InvocationRoute,
  type ModelKindDefinition,
  type ModelKindInfo,
  type ModelKindRuntime,
  type ServedEndpoint,
} from './kinds.ts';
export { withStageLog } from './stageLog.ts';
export { modelRoutes, type ModelRouteDeps } from './routes.ts';
