/**
 * Migration 0013_detection (issue 15): detection datasets (a name and its class list) and their images (one row per
 * image: its ref inside the dataset, size, sha256 and artifact key). Labels are not here: they live in the feature
 * store group `image_labels` (history, status, labeler), so a label's whole life has one place.
 */
import type { Kysely, Migration } from 'kysely';

export function detectionMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('detection_datasets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('classes_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('detection_images')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('detection_datasets.id').onDelete('cascade'))
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('artifact_key', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull()) // import | upload | feedback | …
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('detection_images_pk', ['dataset_id', 'ref'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('detection_images').execute();
      await db.schema.dropTable('detection_datasets').execute();
    },
  };
}
