/**
 * What labeling needs from other domains, as narrow ports (src/app wires them): the detection datasets (images, their
 * classes and bytes, adding inbox images — D1's datasets service), the feature store (label records, history) and an
 * optional pre-labeler (the current approved detector — D2). The domain never sees those services themselves.
 */
import type { LabelStatus } from '../detection/datasets/labels.ts';
import type { Detection } from '../detection/formats/types.ts';

/** One image of a detection dataset as labeling sees it. */
export interface DatasetImage {
  ref: string;
  width: number;
  height: number;
  /** True when the image has any label record (APPROVED, REJECTED or PENDING). */
  labeled: boolean;
}

export interface LabelingDatasetsPort {
  /** The dataset's classes (class id = index); throws the datasets domain's not-found error. */
  classes(dataset: string): Promise<string[]>;
  /** Every image of the dataset, in the dataset's order. */
  images(dataset: string): Promise<DatasetImage[]>;
  /** Adds images to the dataset unlabeled (the feedback inbox); throws on an unreadable image. */
  addImages(dataset: string, files: Array<{ name: string; bytes: Buffer }>): Promise<Array<{ ref: string; width: number; height: number }>>;
  /** The image's bytes and content type (for the editor). */
  imageBytes(dataset: string, ref: string): Promise<{ bytes: Buffer; contentType: string }>;
}

/** One row of the feature group `image_labels` (notes/detection.md). */
export interface LabelRecordValues {
  image: string;
  event_time: string;
  dataset: string;
  ref: string;
  boxes: string;
  status: LabelStatus;
  labeler: string;
  verifier: string;
  job: string;
}

export interface LabelHistoryItem {
  eventTime: string;
  values: Record<string, unknown>;
}

export interface LabelingFeaturesPort {
  /** Appends one record to `image_labels` (all or nothing; creates the group on first use). */
  write(record: LabelRecordValues): Promise<void>;
  /** Every record of one image (`<dataset>/<ref>`), oldest event first; [] when it has none. */
  history(image: string): Promise<LabelHistoryItem[]>;
  /** The status of each given image's latest record (by event time), by ref; images without one are absent. */
  latestStatuses(dataset: string, refs: string[]): Promise<Map<string, string>>;
}

/** Detector predictions for pre-labels; `model` names the detector version used (null: none is approved). */
export interface Prelabeler {
  current(): Promise<{ model: string; predict(image: Buffer): Promise<Detection[]> } | null>;
}
