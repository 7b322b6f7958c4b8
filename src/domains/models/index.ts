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
// Registry governance (issue 14): approvals, aliases, tags, model cards, deploy-on-approval. Other domains (pipeline
// steps) call the narrow ModelGovernance (setApproval, setAlias).
export {
  APPROVAL_STATUSES,
  createModelRegistry,
  REGISTRY_EVENTS,
  type ApprovalResult,
  type ApprovalStatus,
  type DeployOutcome,
  type ModelCard,
  type ModelGovernance,
  type ModelRegistry,
  type ModelRegistryDeps,
  type RegistryDeployer,
  type RegistryEventName,
  type RegistryEventSink,
} from './registry.ts';
export { modelRegistryRoutes, type ModelRegistryRouteDeps } from './registryRoutes.ts';
