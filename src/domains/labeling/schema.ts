/** The labeling API's bodies (zod) and the shapes the service returns. */
import { z } from 'zod';
import type { LabeledBox } from '../detection/formats/types.ts';

export const DEFAULT_JOB_SIZE = 200;
const person = z.string().min(1).max(64).describe('an API token name (SAGEBRUSH_API_TOKENS `name:token`)');

export const createJobSchema = z.object({
  dataset: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  source: z.enum(['unlabeled', 'inbox']).default('unlabeled').describe('all unlabeled images of the dataset, or the feedback inbox'),
  limit: z.number().int().min(1).max(10_000).default(DEFAULT_JOB_SIZE).describe('at most this many images (the sample uses 200)'),
  labelers: z.array(person).min(1).max(100).optional().describe('who labels (tasks are dealt round-robin); default: the caller'),
});
export type CreateJobInput = z.input<typeof createJobSchema>;

export const createVerificationSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  verifiers: z.array(person).min(1).max(100).optional().describe('who verifies; each image goes to a verifier other than its labeler; default: the caller'),
});
export type CreateVerificationInput = z.input<typeof createVerificationSchema>;

export const boxSchema = z.object({
  classId: z.number().int(),
  x: z.number().finite(),
  y: z.number().finite(),
  w: z.number().finite(),
  h: z.number().finite(),
});

export const saveTaskSchema = z.object({
  boxes: z.array(boxSchema).max(1000).optional().describe('label jobs: the boxes (may be empty: nothing to find); verify jobs: the adjusted boxes'),
  decision: z.enum(['approve', 'reject', 'adjust']).optional().describe('verify jobs only; adjust needs boxes and approves them'),
});
export type SaveTaskInput = z.infer<typeof saveTaskSchema>;

export const EXPORT_FORMATS = ['groundtruth', 'yolo', 'coco'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type JobKind = 'label' | 'verify';
export type Outcome = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface PersonProgress {
  name: string;
  done: number;
  total: number;
}

export interface LabelingJob {
  id: string;
  name: string;
  kind: JobKind;
  dataset: string;
  source: string;
  parentJobId: string | null;
  people: string[];
  classes: string[];
  prelabelModel: string | null;
  total: number;
  createdBy: string;
  createdAt: string;
  progress: { done: number; total: number; byPerson: PersonProgress[]; outcomes: Record<Outcome, number> };
  /** Label jobs: the verification jobs made over its results. */
  verificationJobs?: string[];
}

export interface LabelingTask {
  jobId: string;
  position: number;
  ref: string;
  width: number;
  height: number;
  assignee: string;
  /** Verify tasks: who labeled the image. */
  labeler: string | null;
  /** Label tasks: the detector's pre-labels (with scores); verify tasks: the boxes to verify. */
  inputBoxes: Array<LabeledBox & { score?: number }> | null;
  uncertainty: number | null;
  status: 'todo' | 'done';
  outcome: Outcome | null;
  boxes: LabeledBox[] | null;
  doneBy: string | null;
  doneAt: string | null;
}

export interface InboxItem {
  dataset: string;
  ref: string;
  source: string;
  meta: Record<string, unknown>;
  addedAt: string;
  jobId: string | null;
}
