/**
 * The (text) prediction-quality domain's public surface (src/app and src/http import it only from here): the
 * quality service (decision-rule tuning, experiments, noisy labels, dataset edits) and its routes plugin with its
 * dependencies.
 */
export { createTextQualityService, type TextQualityService } from './service.ts';
export { textQualityRoutes, type TextQualityRouteDeps } from './routes.ts';
