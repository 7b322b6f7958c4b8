/**
 * Labeling and verification (issue 15): jobs over a detection dataset's images assigned to named labelers (API token
 * names), a save per image that writes a PENDING record to the feature group `image_labels`, verification by a second
 * person (approve / reject / adjust → APPROVED or REJECTED record), progress, export, and the feedback inbox.
 */
import { AppError } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import { parseWith } from '../../core/validate.ts';
import { recordId } from '../detection/datasets/labels.ts';
import type { LabeledBox } from '../detection/formats/types.ts';
import { checkBoxes } from './boxes.ts';
import { resultSet, writeExport } from './export.ts';
import { createInbox } from './inbox.ts';
import { makeLabelingJob, makeVerificationJob, type JobMakerDeps } from './jobs.ts';
import { saveTaskSchema, type CreateJobInput, type CreateVerificationInput, type ExportFormat, type LabelingJob, type LabelingTask, type Outcome, type SaveTaskInput } from './schema.ts';
import * as store from './store.ts';

/** The database and the ports (the job maker needs all of them too). */
export type LabelingServiceDeps = JobMakerDeps;

export function createLabelingService(deps: LabelingServiceDeps) {
  const { db } = deps;

  async function jobRow(id: string): Promise<store.JobRow> {
    const row = await store.findJob(db, id);
    if (!row) throw new AppError('LABELING_JOB_NOT_FOUND', `No labeling job "${id}". List them with GET /api/v1/labeling/jobs.`);
    return row;
  }

  async function taskRow(job: store.JobRow, position: number): Promise<store.TaskRow> {
    const row = await store.findTask(db, job.id, position);
    if (!row) throw new AppError('LABELING_TASK_NOT_FOUND', `Job "${job.name}" has no task ${position} (it has ${job.total}, numbered from 0).`);
    return row;
  }

  /** What a save records: the outcome and the boxes, after every check (nothing is written before they all pass). */
  async function decide(job: store.JobRow, task: store.TaskRow, input: SaveTaskInput): Promise<{ outcome: Outcome; boxes: LabeledBox[] }> {
    const classes = JSON.parse(job.classes_json) as string[];
    if (job.kind === 'label') {
      if (input.decision) throw new AppError('LABELING_TASK_INVALID', 'A labeling task takes boxes, not a decision (decisions are for verification jobs).', { problems: [{ field: 'decision', problem: 'not allowed in a labeling job', fix: 'Send {"boxes": [...]} (an empty list when the image has nothing to find).' }] });
      if (!input.boxes) throw new AppError('LABELING_TASK_INVALID', 'Send the image\'s boxes.', { problems: [{ field: 'boxes', problem: 'is missing', fix: 'Send {"boxes": [{"classId", "x", "y", "w", "h"}, …]} in pixels; [] when there is nothing to find.' }] });
      return { outcome: 'PENDING', boxes: checkBoxes(input.boxes, task, classes, task.ref) };
    }
    if (!input.decision) throw new AppError('LABELING_TASK_INVALID', 'A verification task takes a decision.', { problems: [{ field: 'decision', problem: 'is missing', fix: 'Send "approve", "reject" or "adjust" (adjust with the corrected boxes).' }] });
    if (input.decision !== 'adjust' && input.boxes) throw new AppError('LABELING_TASK_INVALID', `"${input.decision}" keeps the labeler's boxes; send boxes only to adjust.`, { problems: [{ field: 'boxes', problem: `not allowed with ${input.decision}`, fix: 'Use decision "adjust" to approve corrected boxes.' }] });
    if (input.decision === 'adjust') {
      if (!input.boxes) throw new AppError('LABELING_TASK_INVALID', 'Adjust needs the corrected boxes.', { problems: [{ field: 'boxes', problem: 'is missing', fix: 'Send {"decision": "adjust", "boxes": [...]}.' }] });
      return { outcome: 'APPROVED', boxes: checkBoxes(input.boxes, task, classes, task.ref) };
    }
    return { outcome: input.decision === 'approve' ? 'APPROVED' : 'REJECTED', boxes: JSON.parse(task.input_boxes_json ?? '[]') as LabeledBox[] };
  }

  async function checkWho(job: store.JobRow, task: store.TaskRow, by: string): Promise<void> {
    if (job.kind === 'verify' && task.labeler === by) {
      throw new AppError('LABELING_VERIFIER_IS_LABELER', `${by} labeled image "${task.ref}" and cannot verify it: a second person must.`, { problems: [{ field: 'verifier', problem: `${by} is the labeler`, fix: `Verify with ${task.assignee}'s token (the assigned verifier).` }] });
    }
    if (task.assignee !== by) {
      throw new AppError('LABELING_NOT_ASSIGNED', `Image "${task.ref}" of job "${job.name}" is assigned to ${task.assignee}, not ${by}.`, { problems: [{ field: 'assignee', problem: `assigned to ${task.assignee}`, fix: `Use ${task.assignee}'s API token, or make a job that assigns you.` }] });
    }
    if (job.kind === 'label') {
      const verifying = new Set<string>();
      for (const c of await store.childJobs(db, job.id)) for (const t of await store.taskRows(db, c.id)) verifying.add(t.ref);
      if (verifying.has(task.ref)) throw new AppError('LABELING_TASK_LOCKED', `Image "${task.ref}" is in a verification job; its labels can no longer change here.`, { problems: [{ field: 'boxes', problem: 'the image is being verified', fix: 'Ask the verifier to adjust the boxes, or to reject them.' }] });
    }
  }

  return {
    async createJob(input: CreateJobInput, by: string): Promise<LabelingJob> {
      return store.toJob(db, await jobRow(await makeLabelingJob(deps, input, by)));
    },
    async createVerification(parentId: string, input: CreateVerificationInput, by: string): Promise<LabelingJob> {
      return store.toJob(db, await jobRow(await makeVerificationJob(deps, parentId, input, by)));
    },
    async listJobs(dataset?: string): Promise<LabelingJob[]> {
      return Promise.all((await store.listJobs(db, dataset)).map((r) => store.toJob(db, r)));
    },
    getJob: async (id: string): Promise<LabelingJob> => store.toJob(db, await jobRow(id)),
    async tasks(id: string, filter: { assignee?: string; status?: 'todo' | 'done' } = {}): Promise<LabelingTask[]> {
      return (await store.taskRows(db, (await jobRow(id)).id, filter)).map(store.toTask);
    },
    task: async (id: string, position: number): Promise<LabelingTask> => store.toTask(await taskRow(await jobRow(id), position)),
    /** Saves one image: checks who and what, then one feature record and the task's state. */
    async saveTask(id: string, position: number, body: unknown, by: string): Promise<LabelingTask> {
      const input = parseWith(saveTaskSchema, body);
      const job = await jobRow(id);
      const task = await taskRow(job, position);
      await checkWho(job, task, by);
      const { outcome, boxes } = await decide(job, task, input);
      const at = nowIso();
      const labeler = job.kind === 'label' ? by : (task.labeler ?? '');
      await deps.features.write({
        image: recordId(job.dataset, task.ref), event_time: at, dataset: job.dataset, ref: task.ref, boxes: JSON.stringify(boxes),
        status: outcome, labeler, verifier: job.kind === 'verify' ? by : '', job: job.id,
      });
      await store.finishTask(db, job.id, position, { outcome, boxes_json: JSON.stringify(boxes), done_by: by, done_at: at });
      return store.toTask(await taskRow(job, position));
    },
    async image(id: string, position: number): Promise<{ bytes: Buffer; contentType: string }> {
      const job = await jobRow(id);
      return deps.datasets.imageBytes(job.dataset, (await taskRow(job, position)).ref);
    },
    /** The image's records in the feature store (every status, labeler, verifier, time), oldest first. */
    async history(id: string, position: number) {
      const job = await jobRow(id);
      const task = await taskRow(job, position);
      const image = recordId(job.dataset, task.ref);
      return { image, items: await deps.features.history(image) };
    },
    /** The job's results in one of the three formats (see export.ts for what a job's results are). */
    async exportJob(id: string, format: ExportFormat): Promise<{ fileName: string; contentType: string; body: Buffer }> {
      const job = await store.toJob(db, await jobRow(id));
      return writeExport(resultSet(job, (await store.taskRows(db, id)).map(store.toTask)), format, job.id);
    },
    inbox: createInbox({ db, datasets: deps.datasets }),
  };
}

export type LabelingService = ReturnType<typeof createLabelingService>;
