/**
 * The object-detection domain's public surface (src/app and src/http import it only from here): the detection
 * service (training jobs, detectors, predict, draw), its /api/v1/detection/models routes, the `detector` model kind,
 * and D1's detection datasets (datasets/index.ts) and formats (formats/index.ts).
 */
export { createDetectionService, type DetectionService, type PredictResult, type TrainRequest } from './service.ts';
export { detectionRoutes, type DetectionRouteDeps } from './routes.ts';
export { detectorKind } from './kind.ts';
export type { DetectionServiceDeps, TrainingSetPort } from './deps.ts';
export type { DetectionTrainResult } from './jobs.ts';
export { DETECTOR_KIND, openDetector, detectorClasses, type Detector } from './onnxDetector.ts';
export { exportUntrainedDetector } from './trainer.ts';
export { decodeRgb, type RgbImage } from './pixels.ts';
export { drawDetections } from './draw.ts';
export * from './datasets/index.ts';
export * from './formats/index.ts';
