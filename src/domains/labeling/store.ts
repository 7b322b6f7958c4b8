/** Kysely queries of the labeling domain (migration 0010_labeling): jobs, tasks, the inbox. */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database, LabelingInboxTable, LabelingJobsTable, LabelingTasksTable } from '../../storage/schema.ts';
import type { InboxItem, JobKind, LabelingJob, LabelingTask, Outcome, PersonProgress } from './schema.ts';

type Db = Kysely<Database>;
export type JobRow = Selectable<LabelingJobsTable>;
export type TaskRow = Selectable<LabelingTasksTable>;

export async function insertJob(db: Db, job: JobRow, tasks: TaskRow[], inboxRefs: string[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('labeling_jobs').values(job).execute();
    for (let i = 0; i < tasks.length; i += 200) await tx.insertInto('labeling_tasks').values(tasks.slice(i, i + 200)).execute();
    // Claim the inbox images in the same transaction: two jobs never take the same image.
    if (inboxRefs.length > 0) {
      const claimed = await tx.updateTable('labeling_inbox').set({ job_id: job.id }).where('dataset', '=', job.dataset).where('ref', 'in', inboxRefs).where('job_id', 'is', null).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== inboxRefs.length) {
        throw new AppError('CONFLICT', `Another labeling job took some of dataset "${job.dataset}"'s inbox images meanwhile; no job was made.`, {
          problems: [{ field: 'source', problem: 'inbox images were claimed by another job meanwhile', fix: 'Make the job again: it takes the inbox images still open.' }],
        });
      }
    }
  });
}

export const findJob = (db: Db, id: string) => db.selectFrom('labeling_jobs').selectAll().where('id', '=', id).executeTakeFirst();

export async function listJobs(db: Db, dataset?: string): Promise<JobRow[]> {
  let q = db.selectFrom('labeling_jobs').selectAll().orderBy('id', 'desc');
  if (dataset) q = q.where('dataset', '=', dataset);
  return q.limit(500).execute();
}

export const childJobs = (db: Db, parentId: string) => db.selectFrom('labeling_jobs').select('id').where('parent_job_id', '=', parentId).orderBy('id').execute();

export async function taskRows(db: Db, jobId: string, filter: { assignee?: string; status?: string } = {}): Promise<TaskRow[]> {
  let q = db.selectFrom('labeling_tasks').selectAll().where('job_id', '=', jobId).orderBy('position');
  if (filter.assignee) q = q.where('assignee', '=', filter.assignee);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.execute();
}

export const findTask = (db: Db, jobId: string, position: number) =>
  db.selectFrom('labeling_tasks').selectAll().where('job_id', '=', jobId).where('position', '=', position).executeTakeFirst();

export async function finishTask(db: Db, jobId: string, position: number, set: { outcome: Outcome; boxes_json: string; done_by: string; done_at: string }): Promise<void> {
  await db.updateTable('labeling_tasks').set({ ...set, status: 'done' }).where('job_id', '=', jobId).where('position', '=', position).execute();
}

/** Refs of the dataset that a labeling job holds unsaved (an open task), or that wait in the inbox for an inbox job. */
export async function heldRefs(db: Db, dataset: string): Promise<Set<string>> {
  const open = await db.selectFrom('labeling_tasks').innerJoin('labeling_jobs', 'labeling_jobs.id', 'labeling_tasks.job_id')
    .select('labeling_tasks.ref').where('labeling_jobs.dataset', '=', dataset).where('labeling_jobs.kind', '=', 'label').where('labeling_tasks.status', '=', 'todo').execute();
  const inbox = await db.selectFrom('labeling_inbox').select('ref').where('dataset', '=', dataset).where('job_id', 'is', null).execute();
  return new Set([...open, ...inbox].map((r) => r.ref));
}

export async function addInbox(db: Db, row: LabelingInboxTable): Promise<void> {
  await db.insertInto('labeling_inbox').values(row).execute();
}

export const inboxBySourceId = (db: Db, dataset: string, sourceId: string) =>
  db.selectFrom('labeling_inbox').selectAll().where('dataset', '=', dataset).where('source_id', '=', sourceId).executeTakeFirst();

export async function inboxRows(db: Db, dataset: string | undefined, open: boolean, limit: number): Promise<Selectable<LabelingInboxTable>[]> {
  let q = db.selectFrom('labeling_inbox').selectAll().orderBy('added_at').orderBy('ref').limit(limit);
  if (dataset) q = q.where('dataset', '=', dataset);
  if (open) q = q.where('job_id', 'is', null);
  return q.execute();
}

export function toInbox(r: Selectable<LabelingInboxTable>): InboxItem {
  return { dataset: r.dataset, ref: r.ref, source: r.source, meta: JSON.parse(r.meta_json) as Record<string, unknown>, addedAt: r.added_at, jobId: r.job_id };
}

export function toTask(r: TaskRow): LabelingTask {
  return {
    jobId: r.job_id,
    position: r.position,
    ref: r.ref,
    width: r.width,
    height: r.height,
    assignee: r.assignee,
    labeler: r.labeler,
    inputBoxes: r.input_boxes_json ? (JSON.parse(r.input_boxes_json) as LabelingTask['inputBoxes']) : null,
    uncertainty: r.uncertainty,
    status: r.status as LabelingTask['status'],
    outcome: r.outcome as Outcome | null,
    boxes: r.boxes_json ? (JSON.parse(r.boxes_json) as LabelingTask['boxes']) : null,
    doneBy: r.done_by,
    doneAt: r.done_at,
  };
}

/** A job with its progress (done / total, per person, per outcome) counted from its tasks. */
export async function toJob(db: Db, r: JobRow): Promise<LabelingJob> {
  const rows = await db.selectFrom('labeling_tasks').select(['assignee', 'status', 'outcome']).select((eb) => eb.fn.countAll<number>().as('n'))
    .where('job_id', '=', r.id).groupBy(['assignee', 'status', 'outcome']).execute();
  const people = JSON.parse(r.people_json) as string[];
  const by = new Map<string, PersonProgress>(people.map((name) => [name, { name, done: 0, total: 0 }]));
  const outcomes: Record<Outcome, number> = { PENDING: 0, APPROVED: 0, REJECTED: 0 };
  let done = 0;
  for (const row of rows) {
    const n = Number(row.n);
    const p = by.get(row.assignee) ?? { name: row.assignee, done: 0, total: 0 };
    by.set(row.assignee, p);
    p.total += n;
    if (row.status === 'done') {
      p.done += n;
      done += n;
      if (row.outcome) outcomes[row.outcome as Outcome] += n;
    }
  }
  const job: LabelingJob = {
    id: r.id, name: r.name, kind: r.kind as JobKind, dataset: r.dataset, source: r.source, parentJobId: r.parent_job_id, people,
    classes: JSON.parse(r.classes_json) as string[], prelabelModel: r.prelabel_model, total: r.total, createdBy: r.created_by, createdAt: r.created_at,
    progress: { done, total: r.total, byPerson: [...by.values()], outcomes },
  };
  if (r.kind === 'label') job.verificationJobs = (await childJobs(db, r.id)).map((c) => c.id);
  return job;
}
