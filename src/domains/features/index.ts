/**
 * The feature store domain's public surface (src/app and src/http import it only from here): the feature service,
 * the /api/v1/feature-groups routes plugin with its dependencies, and the features.ingest-dataset job type.
 */
export { createFeatureService, type FeatureService, type FeatureServiceDeps, type FeatureDatasetSource } from './service.ts';
export { featureRoutes, type FeatureRouteDeps } from './routes.ts';
export { FEATURES_INGEST_JOB, ingestDatasetJob } from './jobs.ts';
export { openOnlineStore, type OnlineStore } from './online.ts';
export type { FeatureGroup, FeatureRecord, IngestResult, RetrieveResult, RetrievedRow } from './schema.ts';
