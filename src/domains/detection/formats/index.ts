/**
 * Detection label formats (issue 15): the shared types, readers and writers for SageMaker Ground Truth (augmented
 * manifest + the sample's labels.csv), YOLO (txt + dataset.yaml) and COCO JSON, and readDetectionFolder(dir).
 */
export type { Detection, DetectionImage, DetectionSet, LabeledBox } from './types.ts';
export { readDetectionFolder, type DetectionFolder, type DetectionLayout, type FolderImage } from './folder.ts';
export { writeGroundTruthManifest, parseGroundTruthManifest, parseLabelsCsv } from './groundTruth.ts';
export { writeYolo, yoloLabelPath, parseDatasetYaml, parseYoloTxt, yoloToPixels } from './yolo.ts';
export { writeCoco, parseCoco, isCoco } from './coco.ts';
export { writeDetectionSet, DETECTION_EXPORT_FORMATS, type DetectionExportFormat } from './write.ts';
export { validateBoxes, type BoxContext } from './validate.ts';
export { DetectionProblems } from './problems.ts';
export { probeImage, sniffImage, CONTENT_TYPES, IMAGE_FILE, type ImageFormat, type ImageProbe } from './images.ts';
export { toCorners, fromCorners } from './boxes.ts';
