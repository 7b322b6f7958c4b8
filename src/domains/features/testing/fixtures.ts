/** Test fixtures for the feature store: an image-label group (the detection issue's labels). */
import type { CreateGroupInput } from '../schema.ts';

/** Labels of the detection issue: per image, boxes (json), status, labeler, verifier, score. */
export const LABELS_GROUP: CreateGroupInput = {
  name: 'image-labels',
  description: 'Bounding-box labels per image',
  recordIdentifierFeature: 'image_id',
  eventTimeFeature: 'labeled_at',
  features: [
    { name: 'image_id', type: 'string' },
    { name: 'labeled_at', type: 'string' },
    { name: 'boxes', type: 'json' },
    { name: 'status', type: 'string' },
    { name: 'labeler', type: 'string' },
    { name: 'verifier', type: 'string' },
    { name: 'score', type: 'double' },
  ],
};
