/**
 * The endpoints domain's public surface (src/app and src/http import it only from here): the endpoint service
 * (serving every kind of the model-kind table), the invocation metrics hook other domains' invocation routes carry,
 * and the /api/v1/endpoints routes plugin (which mounts the kinds' invocation routes) with its dependencies.
 */
export { createEndpointService, ENDPOINT_NAME_PATTERN, type Endpoint, type EndpointService, type EndpointServiceDeps } from './service.ts';
export { EndpointMetrics, type EndpointMetricsReport, type MetricsWindow } from './metrics.ts';
export { nameFromBodyModel, nameFromParams, recordInvocation } from './hook.ts';
export { endpointRoutes, type EndpointRouteDeps } from './routes.ts';
