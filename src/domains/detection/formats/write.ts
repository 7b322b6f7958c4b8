/** Writes a detection set's label files in one of the three formats (file name → content, relative to the set's folder). */
import { AppError } from '../../../core/errors.ts';
import { writeCoco } from './coco.ts';
import { writeGroundTruthManifest } from './groundTruth.ts';
import type { DetectionSet } from './types.ts';
import { writeYolo } from './yolo.ts';

export const DETECTION_EXPORT_FORMATS = ['groundtruth', 'yolo', 'coco'] as const;
export type DetectionExportFormat = (typeof DETECTION_EXPORT_FORMATS)[number];

export function writeDetectionSet(set: DetectionSet, format: DetectionExportFormat): Map<string, string> {
  if (format === 'groundtruth') return new Map([['output.manifest', writeGroundTruthManifest(set)]]);
  if (format === 'coco') return new Map([['annotations.json', writeCoco(set)]]);
  if (format === 'yolo') return writeYolo(set);
  throw new AppError('VALIDATION_FAILED', `Unknown export format "${String(format)}".`, { problems: [{ field: 'format', problem: `"${String(format)}" is not a format`, fix: `Use one of ${DETECTION_EXPORT_FORMATS.join(', ')}.` }] });
}
