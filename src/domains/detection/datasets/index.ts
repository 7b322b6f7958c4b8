/**
 * Detection datasets (issue 15, D1): the service (import from a folder or zip, images + latest labels, image bytes,
 * unlabeled additions for the feedback inbox, the training set and its export), the image_labels group helpers,
 * and the /api/v1/detection/datasets routes plugin.
 */
export { createDetectionDatasetService, type DetectionDatasetService, type DetectionDatasetServiceDeps, type DetectionDatasetSummary, type ImportSummary, type DatasetImageItem } from './service.ts';
export { detectionDatasetRoutes, type DetectionDatasetRouteDeps } from './routes.ts';
export { IMAGE_LABELS, IMAGE_LABELS_GROUP, LABEL_STATUSES, ensureLabelGroup, writeLabels, recordId, type DetectionFeaturesPort, type ImageLabel, type LabelStatus, type NewLabel } from './labels.ts';
export { DATASET_NAME } from './names.ts';
