/**
 * The labeling domain's public surface (src/app and src/http import it only from here): the labeling service (jobs,
 * verification, tasks, export) with its feedback inbox (`service.inbox.add`, which the edge's feedback upload calls
 * through its port), the ports it needs, and the /api/v1/labeling routes plugin with its dependencies.
 */
export { createLabelingService, type LabelingService, type LabelingServiceDeps } from './service.ts';
export { feedbackInbox, type FeedbackItem, type InboxAddInput, type LabelingInbox } from './inbox.ts';
export type { DatasetImage, LabelingDatasetsPort, LabelingFeaturesPort, Prelabeler } from './ports.ts';
export { labelFeatures, IMAGE_LABELS, IMAGE_LABELS_DEFINITION, type FeatureStoreForLabels } from './labels.ts';
export type { InboxItem, LabelingJob, LabelingTask } from './schema.ts';
export { labelingRoutes, type LabelingRouteDeps } from './routes.ts';
