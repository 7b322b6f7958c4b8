/**
 * The edge domain's public surface (issue 15): fleets of devices running detectors, device tokens, deployments with
 * canary health checks and automatic rollback, results / heartbeat / feedback ingestion, and the device protocol the
 * agent (src/agent) speaks.
 */
export { createEdgeService, type EdgeService, type EdgeServiceDeps, type FleetStatus, type DeviceStatus, type FeedbackItem } from './service.ts';
export { edgeRoutes, type EdgeRouteDeps } from './routes.ts';
export type { EdgeInboxItem, EdgeInboxPort } from './ingest.ts';
export type { EdgeModelsPort, Deployment, DeploymentState } from './deployments.ts';
export type { Fleet, Device } from './fleets.ts';
export type { DesiredModel, EdgeResult, Heartbeat, FeedbackUpload } from './protocol.ts';
