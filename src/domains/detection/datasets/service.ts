/**
 * Detection datasets (issue 15): images stored in the artifact store (keyed by sha256) with a row each (ref, size,
 * sha256), labels in the feature store group `image_labels`. Import from a folder or a zip (everything is validated
 * before anything is stored), list datasets and images with their latest label, image bytes for the UI, unlabeled
 * images added by the feedback inbox, and the training set: the latest APPROVED label per image, exportable as a
 * zip in Ground Truth / YOLO / COCO.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import { AppError } from '../../../core/errors.ts';
import { newId, nowIso } from '../../../core/ids.ts';
import type { ArtifactStore } from '../../../storage/artifacts/types.ts';
import { isUniqueViolation } from '../../../storage/db.ts';
import type { Database } from '../../../storage/schema.ts';
import { readDetectionFolder, type DetectionFolder } from '../formats/folder.ts';
import { CONTENT_TYPES, probeImage } from '../formats/images.ts';
import type { DetectionSet } from '../formats/types.ts';
import { LABEL_STATUSES, latestLabels, latestWhere, writeLabels, type DetectionFeaturesPort, type ImageLabel, type LabelStatus, type NewLabel } from './labels.ts';
import { imageRef, notFound, validName, decodeRefCursor, encodeRefCursor } from './names.ts';
import * as store from './store.ts';
import { extractZip } from './unzip.ts';
import { exportZip } from './export.ts';
import type { DetectionExportFormat } from '../formats/write.ts';

export interface DetectionDatasetServiceDeps {
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  features: DetectionFeaturesPort;
  /** Uncompressed size limit of a zip import (config maxArchiveBytes). */
  maxArchiveBytes: number;
}

export interface DetectionDatasetSummary { name: string; classes: string[]; images: number; createdAt: string }
export interface ImportSummary extends DetectionDatasetSummary { layout: string; labeled: number; unlabeled: number; boxes: number }
export interface DatasetImageItem { ref: string; width: number; height: number; sha256: string; contentType: string; source: string; addedAt: string; label: ImageLabel | null }

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function createDetectionDatasetService(deps: DetectionDatasetServiceDeps) {
  const { db, artifacts, features } = deps;

  async function dataset(name: string): Promise<store.DatasetRow> {
    const row = await store.findDataset(db, name);
    if (!row) throw notFound(`No detection dataset named "${name}".`);
    return row;
  }

  async function putImage(datasetId: string, bytes: Buffer, contentType: string): Promise<{ key: string; sha: string }> {
    const sha = sha256(bytes);
    const key = `detection/${datasetId}/images/${sha}`;
    if (!(await artifacts.exists(key))) await artifacts.put(key, bytes, { contentType });
    return { key, sha };
  }

  const taken = (name: string) => new AppError('ALREADY_EXISTS', `A detection dataset named "${name}" already exists.`, { problems: [{ field: 'name', problem: 'is taken', fix: 'Choose another name (--name / the "name" field).' }] });

  /** Checked before a folder is read (a taken name fails fast); the insert checks again. */
  async function assertFree(name: string): Promise<void> {
    validName(name);
    if (await store.findDataset(db, name)) throw taken(name);
  }

  /** Stores a validated folder as a new dataset; on any failure nothing is left behind. */
  async function importSet(set: DetectionFolder, name: string): Promise<ImportSummary> {
    validName(name);
    const bad = set.images.filter((im) => im.status !== undefined && !(LABEL_STATUSES as readonly string[]).includes(im.status));
    if (bad.length > 0) throw new AppError('DETECTION_LABELS_INVALID', `${bad.length} label(s) have a status other than ${LABEL_STATUSES.join(', ')} (first: ${bad[0]!.ref}: "${bad[0]!.status}"). Nothing was imported.`, { problems: bad.slice(0, 50).map((im) => ({ field: im.ref, problem: `status "${im.status}"`, fix: `Use one of ${LABEL_STATUSES.join(', ')}.` })) });
    const id = newId('dds');
    const now = nowIso();
    try {
      await store.insertDataset(db, { id, name, classes_json: JSON.stringify(set.classes), created_at: now, updated_at: now });
    } catch (err) {
      if (isUniqueViolation(err)) throw taken(name);
      throw err;
    }
    try {
      const rows: store.ImageRow[] = [];
      for (const im of set.images) {
        const contentType = CONTENT_TYPES[im.format];
        const { key, sha } = await putImage(id, await readFile(im.path), contentType);
        rows.push({ dataset_id: id, ref: im.ref, width: im.width, height: im.height, sha256: sha, content_type: contentType, artifact_key: key, source: 'import', added_at: now });
      }
      await store.insertImages(db, rows);
      const importTime = Date.now();
      const labels: NewLabel[] = set.images.filter((im) => im.boxes !== null).map((im) => ({
        dataset: name, ref: im.ref, boxes: im.boxes!, status: (im.status ?? 'APPROVED') as LabelStatus, eventTime: im.eventTime ?? importTime, labeler: 'import', job: 'import',
      }));
      await writeLabels(features, labels);
      const labeled = labels.length;
      return { name, classes: set.classes, images: rows.length, createdAt: now, layout: set.layout, labeled, unlabeled: rows.length - labeled, boxes: labels.reduce((n, l) => n + l.boxes.length, 0) };
    } catch (err) {
      await store.deleteDataset(db, id);
      await artifacts.deletePrefix(`detection/${id}/`).catch(() => undefined);
      throw err;
    }
  }

  return {
    /** Imports a folder laid out like the metal-tags sample (images/ + labels.csv or YOLO/COCO labels) (name: the folder's name by default). */
    async importFolder(dir: string, options: { name?: string } = {}): Promise<ImportSummary> {
      const name = options.name ?? basename(dir.replace(/\/+$/, ''));
      await assertFree(name);
      return importSet(await readDetectionFolder(dir), name);
    },

    /** Imports a zip of such a folder (an upload kept at zipPath). */
    async importZip(zipPath: string, options: { name?: string; fileName: string }): Promise<ImportSummary> {
      const name = options.name ?? options.fileName.replace(/\.zip$/i, '');
      await assertFree(name);
      const { dir, cleanup } = await extractZip(zipPath, options.fileName, deps.maxArchiveBytes);
      try {
        return await importSet(await readDetectionFolder(dir), name);
      } finally {
        await cleanup();
      }
    },

    async list(): Promise<DetectionDatasetSummary[]> {
      return (await store.listDatasets(db)).map((r) => ({ name: r.name, classes: JSON.parse(r.classes_json) as string[], images: r.images, createdAt: r.created_at }));
    },

    async get(name: string): Promise<DetectionDatasetSummary> {
      const found = (await store.listDatasets(db)).find((r) => r.name === name);
      if (!found) throw notFound(`No detection dataset named "${name}".`);
      return { name: found.name, classes: JSON.parse(found.classes_json) as string[], images: found.images, createdAt: found.created_at };
    },

    async classes(name: string): Promise<string[]> {
      return JSON.parse((await dataset(name)).classes_json) as string[];
    },

    /** Every image (ref order) and whether it has any label record — the labeling domain's port. */
    async images(name: string): Promise<Array<{ ref: string; width: number; height: number; labeled: boolean }>> {
      const ds = await dataset(name);
      const labeled = await latestWhere(features, name);
      return (await store.listImages(db, ds.id)).map((r) => ({ ref: r.ref, width: r.width, height: r.height, labeled: labeled.has(r.ref) }));
    },

    /** One page of images (ref order) with each image's latest label (any status), or null when it has none. */
    async listImages(name: string, page: { limit?: number; cursor?: string } = {}): Promise<{ items: DatasetImageItem[]; nextCursor: string | null }> {
      const ds = await dataset(name);
      const limit = Math.min(500, Math.max(1, page.limit ?? 50));
      const rows = await store.listImages(db, ds.id, { after: decodeRefCursor(page.cursor), limit: limit + 1 });
      const pageRows = rows.slice(0, limit);
      const labels = await latestLabels(features, name, pageRows.map((r) => r.ref));
      return {
        items: pageRows.map((r) => ({ ref: r.ref, width: r.width, height: r.height, sha256: r.sha256, contentType: r.content_type, source: r.source, addedAt: r.added_at, label: labels.get(r.ref) ?? null })),
        nextCursor: rows.length > limit ? encodeRefCursor(pageRows[pageRows.length - 1]!.ref) : null,
      };
    },

    async imageBytes(name: string, ref: string): Promise<{ bytes: Buffer; contentType: string; sha256: string }> {
      const row = await store.getImage(db, (await dataset(name)).id, ref);
      if (!row) throw notFound(`Detection dataset "${name}" has no image "${ref}".`);
      return { bytes: await artifacts.get(row.artifact_key), contentType: row.content_type, sha256: row.sha256 };
    },

    /** The image's bytes (for trainers reading trainingSet()). */
    async readImage(name: string, ref: string): Promise<Buffer> {
      return (await this.imageBytes(name, ref)).bytes;
    },

    /**
     * Adds images unlabeled (the feedback inbox): all are checked first (DETECTION_IMAGE_UNREADABLE names each bad
     * one; nothing is added). The ref is `<source>/<file name>`; the same bytes again return the same ref, other
     * bytes under a taken name get `-<sha8>` before the extension.
     */
    async addImages(name: string, files: ReadonlyArray<{ name: string; bytes: Buffer }>, options: { source?: string } = {}): Promise<Array<{ ref: string; width: number; height: number }>> {
      const ds = await dataset(name);
      const source = (options.source ?? 'upload').replace(/[^\w.-]/g, '_') || 'upload';
      const probes = await Promise.all(files.map((f) => probeImage(f.bytes)));
      const bad = probes.flatMap((p, i) => (p.ok ? [] : [{ field: files[i]!.name, problem: `${files[i]!.name} ${p.problem}`, fix: 'Send a JPEG, PNG or WebP image.' }]));
      if (bad.length > 0) throw new AppError('DETECTION_IMAGE_UNREADABLE', `${bad[0]!.problem}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}. No image was added.`, { problems: bad });
      const out: Array<{ ref: string; width: number; height: number }> = [];
      for (const [i, f] of files.entries()) {
        const p = probes[i]! as { width: number; height: number; format: keyof typeof CONTENT_TYPES };
        const contentType = CONTENT_TYPES[p.format];
        const { key, sha } = await putImage(ds.id, f.bytes, contentType);
        let ref = imageRef(source, f.name);
        const existing = await store.getImage(db, ds.id, ref);
        if (existing && existing.sha256 !== sha) ref = ref.replace(/(\.[^./]+)?$/, (ext) => `-${sha.slice(0, 8)}${ext}`);
        await store.insertImages(db, [{ dataset_id: ds.id, ref, width: p.width, height: p.height, sha256: sha, content_type: contentType, artifact_key: key, source, added_at: nowIso() }]);
        out.push({ ref, width: p.width, height: p.height });
      }
      return out;
    },

    /** The training set: the latest APPROVED label per image (images without one are left out). */
    async trainingSet(name: string): Promise<DetectionSet> {
      const ds = await dataset(name);
      const approved = await latestWhere(features, name, { status: 'APPROVED' });
      const images = (await store.listImages(db, ds.id)).filter((r) => approved.has(r.ref));
      return { classes: JSON.parse(ds.classes_json) as string[], images: images.map((r) => ({ ref: r.ref, width: r.width, height: r.height, boxes: approved.get(r.ref)!.boxes })) };
    },

    /** The training set as a zip of images + label files in one format (streamed). */
    async exportZip(name: string, format: DetectionExportFormat) {
      return exportZip(this, name, format);
    },
  };
}

export type DetectionDatasetService = ReturnType<typeof createDetectionDatasetService>;
