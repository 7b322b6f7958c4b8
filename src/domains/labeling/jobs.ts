/**
 * Making labeling jobs (over the dataset's unlabeled images or the feedback inbox, at most N, pre-labeled and sorted
 * by uncertainty when a detector is approved) and verification jobs (over a labeling job's saved results, each image
 * dealt to a verifier other than its labeler). Tasks are dealt round-robin; job, tasks and the inbox claim are one
 * transaction.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import { parseWith } from '../../core/validate.ts';
import type { Database } from '../../storage/schema.ts';
import { byUncertainty, prelabel } from './prelabel.ts';
import type { LabelingDatasetsPort, LabelingFeaturesPort, Prelabeler } from './ports.ts';
import { createJobSchema, createVerificationSchema, type CreateJobInput, type CreateVerificationInput } from './schema.ts';
import * as store from './store.ts';

export interface JobMakerDeps {
  db: Kysely<Database>;
  datasets: LabelingDatasetsPort;
  features: LabelingFeaturesPort;
  /** The current approved detector's predictions (D2); absent or null: tasks keep dataset order, no pre-labels. */
  prelabeler?: Prelabeler;
}

function invalid(message: string, field: string, problem: string, fix: string): AppError {
  return new AppError('LABELING_JOB_INVALID', message, { problems: [{ field, problem, fix }] });
}

export async function makeLabelingJob(deps: JobMakerDeps, body: CreateJobInput, by: string): Promise<string> {
  const input = parseWith(createJobSchema, body);
  const classes = await deps.datasets.classes(input.dataset);
  const images = await deps.datasets.images(input.dataset);
  let picked: typeof images;
  if (input.source === 'inbox') {
    const byRef = new Map(images.map((i) => [i.ref, i]));
    const open = await store.inboxRows(deps.db, input.dataset, true, input.limit);
    picked = open.map((r) => byRef.get(r.ref)).filter((i): i is (typeof images)[number] => i !== undefined);
  } else {
    // Unlabeled = no label record, or a latest record that a verifier REJECTED (it goes back for labeling).
    const held = await store.heldRefs(deps.db, input.dataset);
    const free = images.filter((i) => !held.has(i.ref));
    const statuses = await deps.features.latestStatuses(input.dataset, free.filter((i) => i.labeled).map((i) => i.ref));
    picked = free.filter((i) => !i.labeled || statuses.get(i.ref) === 'REJECTED').slice(0, input.limit);
  }
  if (picked.length === 0) {
    throw invalid(`Dataset "${input.dataset}" has no ${input.source === 'inbox' ? 'images in the feedback inbox' : 'unlabeled (or rejected) images that no labeling job holds'}; no job was made.`, 'source', 'no images to label', input.source === 'inbox' ? 'Wait for feedback images from the edge, or label the unlabeled images (source "unlabeled").' : 'Add images to the dataset (or use source "inbox" for feedback images).');
  }
  const pre = await prelabel(deps.prelabeler, picked, async (ref) => (await deps.datasets.imageBytes(input.dataset, ref)).bytes);
  const order = pre ? byUncertainty(pre.results.map((r) => r.uncertainty)) : picked.map((_, i) => i);
  const labelers = [...new Set(input.labelers ?? [by])];
  const id = newId('lbj');
  const job: store.JobRow = {
    id, name: input.name ?? `${input.dataset} ${input.source} ${nowIso().slice(0, 16)}`, kind: 'label', dataset: input.dataset, source: input.source, parent_job_id: null,
    people_json: JSON.stringify(labelers), classes_json: JSON.stringify(classes), prelabel_model: pre?.model ?? null, total: picked.length, created_by: by, created_at: nowIso(),
  };
  const tasks: store.TaskRow[] = order.map((k, position) => {
    const img = picked[k]!;
    const p = pre?.results[k];
    return {
      job_id: id, position, ref: img.ref, width: img.width, height: img.height, assignee: labelers[position % labelers.length]!, labeler: null,
      input_boxes_json: p ? JSON.stringify(p.boxes) : null, uncertainty: p ? p.uncertainty : null, status: 'todo', outcome: null, boxes_json: null, done_by: null, done_at: null,
    };
  });
  await store.insertJob(deps.db, job, tasks, input.source === 'inbox' ? picked.map((i) => i.ref) : []);
  return id;
}

export async function makeVerificationJob(deps: JobMakerDeps, parentId: string, body: CreateVerificationInput, by: string): Promise<string> {
  const input = parseWith(createVerificationSchema, body);
  const parent = await store.findJob(deps.db, parentId);
  if (!parent) throw new AppError('LABELING_JOB_NOT_FOUND', `No labeling job "${parentId}". List them with GET /api/v1/labeling/jobs.`);
  if (parent.kind !== 'label') throw invalid(`Job "${parentId}" is a verification job; verification jobs are made over a labeling job's results.`, 'job', 'is a verification job', 'Pass the id of the labeling job whose results should be verified.');
  // Each saved image is verified once: skip those an earlier verification job of this labeling job already holds.
  const held = new Set<string>();
  for (const c of await store.childJobs(deps.db, parentId)) for (const t of await store.taskRows(deps.db, c.id)) held.add(t.ref);
  const done = (await store.taskRows(deps.db, parentId, { status: 'done' })).filter((t) => !held.has(t.ref));
  if (done.length === 0) throw invalid(`Labeling job "${parent.name}" has no saved images left to verify; no job was made.`, 'job', 'nothing to verify', 'Save labels in the labeling job first (or verify in the existing verification job).');
  const verifiers = [...new Set(input.verifiers ?? [by])];
  const problems: Array<{ field: string; problem: string; fix: string }> = [];
  // The least-loaded verifier other than the labeler (ties in the given order) keeps the deal even.
  const load = new Map(verifiers.map((v) => [v, 0]));
  const assignees = done.map((t) => {
    const eligible = verifiers.filter((v) => v !== t.done_by);
    if (eligible.length === 0) {
      problems.push({ field: 'verifiers', problem: `image "${t.ref}" was labeled by ${t.done_by}, the only verifier given`, fix: 'Add a verifier other than the labeler: a second person must verify each image.' });
      return '';
    }
    const pick = eligible.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
    load.set(pick, load.get(pick)! + 1);
    return pick;
  });
  if (problems.length > 0) throw new AppError('LABELING_VERIFIER_IS_LABELER', `The verifier must differ from the labeler: ${problems.length} image(s) have no other verifier. No job was made.`, { problems: problems.slice(0, 50) });
  const id = newId('lbj');
  const job: store.JobRow = {
    id, name: input.name ?? `verify ${parent.name}`, kind: 'verify', dataset: parent.dataset, source: 'job', parent_job_id: parentId,
    people_json: JSON.stringify(verifiers), classes_json: parent.classes_json, prelabel_model: null, total: done.length, created_by: by, created_at: nowIso(),
  };
  const tasks: store.TaskRow[] = done.map((t, position) => ({
    job_id: id, position, ref: t.ref, width: t.width, height: t.height, assignee: assignees[position]!, labeler: t.done_by,
    input_boxes_json: t.boxes_json, uncertainty: t.uncertainty, status: 'todo', outcome: null, boxes_json: null, done_by: null, done_at: null,
  }));
  await store.insertJob(deps.db, job, tasks, []);
  return id;
}
