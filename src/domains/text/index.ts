/**
 * The text-classification domain's public surface (src/app and src/http import it only from here): the text
 * service (training, evaluation, batch analysis, the text-classifier runtime) and the /api/v1/text routes plugin
 * with its dependencies.
 */
export { createTextService, TEXT_MODEL_KIND, type TextService } from './service.ts';
export type { TextDeps } from './deps.ts';
export { textRoutes, type TextRouteDeps } from './routes.ts';
export { CLASSIFY_MAX_BATCH, CLASSIFY_MAX_TEXT_BYTES, textClassifierKind } from './classify.ts';
