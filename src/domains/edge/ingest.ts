/**
 * What devices send: results batches and heartbeats (judging the fleet's canary after each) and low-confidence images
 * (stored as artifacts, then handed to the labeling inbox through a port). Each item is keyed by the id the device
 * generated: a re-sent batch inserts nothing twice (ON CONFLICT DO NOTHING), and a feedback image whose inbox hand-off
 * failed is handed over again when re-sent.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import { sniffImageType, type ImageType } from '../../core/imageType.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { Database } from '../../storage/schema.ts';
import type { Deployments } from './deployments.ts';
import type { Device, Fleet } from './fleets.ts';
import type { EdgeResult, FeedbackUpload, Heartbeat } from './protocol.ts';

/** One low-confidence image for the labeling inbox (D3's `inbox.add`, wired in src/app/services.ts). */
export interface EdgeInboxItem {
  /** The device-generated feedback id: `add` is called again with the same id if an earlier hand-off failed. */
  id: string;
  fleet: string;
  /** The fleet's feedback dataset. */
  dataset: string;
  device: string;
  image: string;
  bytes: Buffer;
  artifactKey: string;
  maxScore: number;
  modelId: string | null;
  capturedAt: string;
}
export interface EdgeInboxPort {
  add(item: EdgeInboxItem): Promise<{ ref: string }>;
}

/** File extension per sniffed type (core sniff); ingest also wants bytes past the signature (a bare signature is no image). */
const IMAGE_EXT: Record<ImageType, { ext: string; signatureBytes: number }> = { jpeg: { ext: 'jpg', signatureBytes: 3 }, png: { ext: 'png', signatureBytes: 8 }, webp: { ext: 'webp', signatureBytes: 12 } };
export const imageExtension = (b: Buffer): string | undefined => {
  const type = sniffImageType(b);
  return type && b.length > IMAGE_EXT[type].signatureBytes ? IMAGE_EXT[type].ext : undefined;
};

export function createIngest(deps: { db: Kysely<Database>; artifacts: ArtifactStore; deployments: Deployments; inbox?: () => EdgeInboxPort | undefined }) {
  const { db, artifacts, deployments } = deps;

  async function results(fleet: Fleet, device: Device, batch: EdgeResult[]): Promise<{ accepted: number; duplicates: number }> {
    const at = nowIso();
    const rows = batch.map((r) => ({
      id: r.id, device_id: device.id, fleet_id: fleet.id, model_id: r.modelId, image: r.image, detections_json: JSON.stringify(r.detections),
      latency_ms: r.latencyMs, error_code: r.error?.code ?? null, low_confidence: r.lowConfidence ? 1 : 0, captured_at: r.capturedAt, received_at: at,
    }));
    let accepted = 0;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 100) {
        // RETURNING lists only the rows inserted: a duplicate id is skipped by ON CONFLICT DO NOTHING.
        accepted += (await trx.insertInto('edge_results').values(rows.slice(i, i + 100)).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute()).length;
      }
    });
    await deployments.judgeCanary(fleet.id);
    return { accepted, duplicates: batch.length - accepted };
  }

  async function heartbeat(fleet: Fleet, device: Device, hb: Heartbeat): Promise<void> {
    // Queued heartbeats can arrive late and out of order: only a newer one replaces what the device last said.
    const sentAt = new Date(hb.sentAt).toISOString();
    const prev = device.heartbeat ? new Date(device.heartbeat.sentAt).toISOString() : '';
    if (sentAt >= prev) await db.updateTable('edge_devices').set({ heartbeat_json: JSON.stringify(hb), model_id: hb.modelId, last_seen_at: nowIso() }).where('id', '=', device.id).execute();
    else await db.updateTable('edge_devices').set({ last_seen_at: nowIso() }).where('id', '=', device.id).execute();
    if (hb.modelError) await deployments.judgeCanary(fleet.id);
    await retryHandoffs(fleet);
  }

  /** Hands stored feedback images whose inbox hand-off failed (e.g. the dataset did not exist yet) over again. */
  async function retryHandoffs(fleet: Fleet, limit = 10): Promise<number> {
    const inbox = deps.inbox?.();
    if (!inbox) return 0;
    const rows = await db.selectFrom('edge_feedback').innerJoin('edge_devices', 'edge_devices.id', 'edge_feedback.device_id')
      .select(['edge_feedback.id', 'edge_feedback.image', 'edge_feedback.artifact_key', 'edge_feedback.max_score', 'edge_feedback.model_id', 'edge_feedback.captured_at', 'edge_devices.name as device'])
      .where('edge_feedback.fleet_id', '=', fleet.id).where('edge_feedback.inbox_ref', 'is', null).orderBy('edge_feedback.received_at').limit(limit).execute();
    let done = 0;
    for (const r of rows) {
      try {
        const bytes = await artifacts.get(r.artifact_key);
        const { ref } = await inbox.add({ id: r.id, fleet: fleet.name, dataset: fleet.feedbackDataset, device: r.device, image: r.image, bytes, artifactKey: r.artifact_key, maxScore: Number(r.max_score), modelId: r.model_id, capturedAt: r.captured_at });
        await db.updateTable('edge_feedback').set({ inbox_ref: ref }).where('id', '=', r.id).execute();
        done++;
      } catch {
        return done; // still failing: the next heartbeat tries again
      }
    }
    return done;
  }

  async function feedback(fleet: Fleet, device: Device, id: string, upload: FeedbackUpload): Promise<{ created: boolean; inboxRef: string | null; inboxError?: { code: string; message: string } }> {
    const bytes = Buffer.from(upload.data, 'base64');
    const ext = imageExtension(bytes);
    if (!ext) throw new AppError('EDGE_UPLOAD_INVALID', `Feedback ${id} ("${upload.image}") is not a JPEG, PNG or WebP image.`, { problems: [{ field: 'data', problem: 'not base64 image bytes', fix: 'Send the image file, base64-encoded.' }] });
    const key = `edge/feedback/${fleet.id}/${id}.${ext}`;
    const existing = await db.selectFrom('edge_feedback').select(['inbox_ref']).where('id', '=', id).executeTakeFirst();
    if (existing?.inbox_ref) return { created: false, inboxRef: existing.inbox_ref };
    if (!existing) {
      await artifacts.put(key, bytes);
      const row = { id, device_id: device.id, fleet_id: fleet.id, image: upload.image, artifact_key: key, max_score: upload.maxScore, model_id: upload.modelId, inbox_ref: null, captured_at: upload.capturedAt, received_at: nowIso() };
      const inserted = await db.insertInto('edge_feedback').values(row).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
      if (inserted.length === 0) return { created: false, inboxRef: null };
    }
    const inbox = deps.inbox?.();
    if (!inbox) return { created: !existing, inboxRef: null };
    try {
      const { ref } = await inbox.add({ id, fleet: fleet.name, dataset: fleet.feedbackDataset, device: device.name, image: upload.image, bytes, artifactKey: key, maxScore: upload.maxScore, modelId: upload.modelId, capturedAt: upload.capturedAt });
      await db.updateTable('edge_feedback').set({ inbox_ref: ref }).where('id', '=', id).execute();
      return { created: !existing, inboxRef: ref };
    } catch (err) {
      // The image is stored (once); the hand-off is retried when the device re-sends it. The device is not to blame.
      const e = err as { code?: string; message?: string };
      return { created: !existing, inboxRef: null, inboxError: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
    }
  }

  return { results, heartbeat, feedback, retryHandoffs };
}
