/**
 * The datasets domain's public surface (src/app and src/http import it only from here): the dataset service
 * (uploads, versions, previews, files) and the /api/v1/datasets routes plugin with its dependencies.
 */
export { createDatasetService, type DatasetService, type DatasetServiceDeps } from './service.ts';
export { datasetRoutes, type DatasetRouteDeps } from './routes.ts';
