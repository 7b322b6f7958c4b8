/**
 * The shared detection data types of issue 15 (contract in notes/detection.md; every detection helper imports them).
 * Boxes are in pixels of the image's own size, top-left origin.
 */

/** A labeled box: top-left corner (x, y), width and height, in the image's pixels. */
export interface LabeledBox { classId: number; x: number; y: number; w: number; h: number }

/** One image of a set. ref = path relative to the set's folder, '/'-separated; boxes null = unlabeled (never a negative). */
export interface DetectionImage { ref: string; width: number; height: number; boxes: LabeledBox[] | null }

/** A labeled image set: class names by class id, and its images. */
export interface DetectionSet { classes: string[]; images: DetectionImage[] }

/** A prediction, in the input image's pixels (corners). */
export interface Detection { classId: number; score: number; x1: number; y1: number; x2: number; y2: number }
