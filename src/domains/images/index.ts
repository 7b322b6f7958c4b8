/**
 * The image-classification domain's public surface (src/app and src/http import it only from here): the images
 * service (summaries, thumbnails, builds, prediction, batch, ONNX export, the image-classifier runtime) and the
 * /api/v1/images routes plugin with its dependencies, and the image-classifier model kind (kind.ts: its runtime and
 * /endpoints/:name/predict-image).
 */
export { createImagesService, IMAGE_MODEL_KIND, type ImagesService, type ImagesServiceDeps } from './service.ts';
export { imageRoutes, type ImageRouteDeps } from './routes.ts';
export { imageClassifierKind } from './kind.ts';
