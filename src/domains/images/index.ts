/**
 * The image-classification domain's public surface (src/app and src/http import it only from here): the images
 * service (summaries, thumbnails, builds, prediction, batch, ONNX export, the image-classifier runtime) and the
 * /api/v1/images routes plugin (with /endpoints/:name/predict-image) with its dependencies.
 */
export { createImagesService, IMAGE_MODEL_KIND, type ImagesService, type ImagesServiceDeps } from './service.ts';
export { imageRoutes, type ImageRouteDeps } from './routes.ts';
