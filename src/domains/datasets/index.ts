/**
 * The datasets domain's public surface (src/app and src/http import it only from here): the dataset service
 * (uploads, versions, previews, files), the /api/v1/datasets routes plugin with its dependencies, and the start-up
 * clean-up of upload temp files a dead process left (app/recover.ts).
 */
export { createDatasetService, type DatasetService, type DatasetServiceDeps } from './service.ts';
export { datasetRoutes, type DatasetRouteDeps } from './routes.ts';
export { removeTempFiles } from './orphans.ts';
