/**
 * Migration 0010_labeling (issue 15): labeling and verification jobs over a detection dataset's images, one task per
 * image (assigned to a named labeler or verifier; its saved boxes and outcome), and the feedback inbox (images added
 * unlabeled by the edge, claimed by the first labeling job made "from inbox"). The labels themselves go to the feature
 * store group `image_labels` (history there); a task row only says who did it and what was saved, for progress/export.
 */
import type { Kysely, Migration } from 'kysely';

export function labelingMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('labeling_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull()) // label | verify
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull()) // unlabeled | inbox | job
        .addColumn('parent_job_id', 'text')
        .addColumn('people_json', 'text', (c) => c.notNull())
        .addColumn('classes_json', 'text', (c) => c.notNull())
        .addColumn('prelabel_model', 'text')
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labeling_jobs_dataset_idx').on('labeling_jobs').columns(['dataset', 'id']).execute();
      await db.schema
        .createTable('labeling_tasks')
        .addColumn('job_id', 'text', (c) => c.notNull().references('labeling_jobs.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('assignee', 'text', (c) => c.notNull())
        .addColumn('labeler', 'text') // verify tasks: who labeled the image (the verifier must differ)
        .addColumn('input_boxes_json', 'text') // verify: the labeled boxes; label: pre-labels (with scores)
        .addColumn('uncertainty', 'real')
        .addColumn('status', 'text', (c) => c.notNull()) // todo | done
        .addColumn('outcome', 'text') // PENDING | APPROVED | REJECTED
        .addColumn('boxes_json', 'text')
        .addColumn('done_by', 'text')
        .addColumn('done_at', 'text')
        .addPrimaryKeyConstraint('labeling_tasks_pk', ['job_id', 'position'])
        .addUniqueConstraint('labeling_tasks_ref_uq', ['job_id', 'ref'])
        .execute();
      await db.schema
        .createTable('labeling_inbox')
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('meta_json', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text')
        .addColumn('source_id', 'text') // the sender's id of the image (edge feedback id): a retried add is one image
        .addPrimaryKeyConstraint('labeling_inbox_pk', ['dataset', 'ref'])
        .execute();
      await db.schema.createIndex('labeling_inbox_source_id_uq').on('labeling_inbox').columns(['dataset', 'source_id']).unique().execute();
      await db.schema.createIndex('labeling_inbox_open_idx').on('labeling_inbox').columns(['dataset', 'job_id', 'added_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('labeling_inbox').execute();
      await db.schema.dropTable('labeling_tasks').execute();
      await db.schema.dropTable('labeling_jobs').execute();
    },
  };
}
