/** Detection dataset rows (migration 0013_detection): datasets and their images. Labels are in the feature store. */
import type { Kysely } from 'kysely';
import type { Database, DetectionDatasetsTable, DetectionImagesTable } from '../../../storage/schema.ts';

export type DatasetRow = DetectionDatasetsTable;
export type ImageRow = DetectionImagesTable;

export async function findDataset(db: Kysely<Database>, name: string): Promise<DatasetRow | undefined> {
  return db.selectFrom('detection_datasets').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listDatasets(db: Kysely<Database>): Promise<Array<DatasetRow & { images: number }>> {
  const rows = await db.selectFrom('detection_datasets').selectAll().orderBy('name').execute();
  const counts = await db.selectFrom('detection_images').select(['dataset_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('dataset_id').execute();
  const byId = new Map(counts.map((c) => [c.dataset_id, Number(c.n)]));
  return rows.map((r) => ({ ...r, images: byId.get(r.id) ?? 0 }));
}

export async function insertDataset(db: Kysely<Database>, row: DatasetRow): Promise<void> {
  await db.insertInto('detection_datasets').values(row).execute();
}

export async function deleteDataset(db: Kysely<Database>, id: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('detection_images').where('dataset_id', '=', id).execute();
    await tx.deleteFrom('detection_datasets').where('id', '=', id).execute();
  });
}

/** Inserts image rows; a ref already present is left as it is. */
export async function insertImages(db: Kysely<Database>, rows: readonly ImageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db.insertInto('detection_images').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['dataset_id', 'ref']).doNothing()).execute();
  }
}

export async function getImage(db: Kysely<Database>, datasetId: string, ref: string): Promise<ImageRow | undefined> {
  return db.selectFrom('detection_images').selectAll().where('dataset_id', '=', datasetId).where('ref', '=', ref).executeTakeFirst();
}

/** Images by ref (ascending), after `after`, at most `limit` (all when omitted). */
export async function listImages(db: Kysely<Database>, datasetId: string, page: { after?: string; limit?: number } = {}): Promise<ImageRow[]> {
  let q = db.selectFrom('detection_images').selectAll().where('dataset_id', '=', datasetId).orderBy('ref');
  if (page.after !== undefined) q = q.where('ref', '>', page.after);
  if (page.limit !== undefined) q = q.limit(page.limit);
  return q.execute();
}
