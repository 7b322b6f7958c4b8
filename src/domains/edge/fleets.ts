/**
 * Fleets and their devices. A device token is shown once, at registration; only its SHA-256 is stored, and a device
 * is found by that hash (the token has 256 random bits, so the hash is as secret-free as an id). Revoking sets
 * revoked_at: the token then gets EDGE_DEVICE_REVOKED, never access.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import { isUniqueViolation } from '../../storage/db.ts';
import type { Database, EdgeDevicesTable, EdgeFleetsTable } from '../../storage/schema.ts';
import { DEFAULT_HEALTH, type HealthPolicy } from './health.ts';
import type { Heartbeat } from './protocol.ts';

export const EDGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface Fleet {
  id: string;
  name: string;
  feedbackThreshold: number;
  canaryShare: number;
  /** The detection dataset whose labeling inbox gets the fleet's low-confidence images (default: the fleet's name). */
  feedbackDataset: string;
  health: HealthPolicy;
  stableModelId: string | null;
  createdAt: string;
}

export interface Device {
  id: string;
  fleetId: string;
  name: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  modelId: string | null;
  heartbeat: Heartbeat | null;
  createdAt: string;
}

export const fleetInputSchema = z.object({
  name: z.string(),
  feedbackThreshold: z.number().optional(),
  canaryShare: z.number().optional(),
  feedbackDataset: z.string().optional(),
  health: z.object({ maxErrorRate: z.number(), maxLatencyP95Ms: z.number(), minSamples: z.number().int(), windowSeconds: z.number() }).partial().optional(),
});
export type FleetInput = z.infer<typeof fleetInputSchema>;

const problem = (field: string, what: string, fix: string) => ({ field, problem: what, fix });

function checkFleet(input: FleetInput): { name: string; feedbackThreshold: number; canaryShare: number; feedbackDataset: string; health: HealthPolicy } {
  const problems = [];
  if (!EDGE_NAME.test(input.name)) problems.push(problem('name', `"${input.name.slice(0, 80)}" is not a valid fleet name`, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.'));
  const feedbackThreshold = input.feedbackThreshold ?? 0.7;
  const canaryShare = input.canaryShare ?? 0.5;
  if (!(feedbackThreshold >= 0 && feedbackThreshold <= 1)) problems.push(problem('feedbackThreshold', `${feedbackThreshold} is outside 0–1`, 'Give a confidence between 0 and 1 (default 0.7).'));
  if (!(canaryShare >= 0 && canaryShare <= 1)) problems.push(problem('canaryShare', `${canaryShare} is outside 0–1`, 'Give a share of devices between 0 and 1 (default 0.5).'));
  const feedbackDataset = input.feedbackDataset ?? input.name;
  if (input.feedbackDataset !== undefined && !EDGE_NAME.test(feedbackDataset)) problems.push(problem('feedbackDataset', `"${feedbackDataset.slice(0, 80)}" is not a valid dataset name`, 'Name the detection dataset whose inbox gets the low-confidence images.'));
  const health = { ...DEFAULT_HEALTH, ...(input.health ?? {}) };
  for (const [k, v] of Object.entries(health)) if (!(Number.isFinite(v) && v > 0)) problems.push(problem(`health.${k}`, `${v} is not a positive number`, 'Give a positive number.'));
  if (health.maxErrorRate > 1) problems.push(problem('health.maxErrorRate', `${health.maxErrorRate} is over 1`, 'Give a share between 0 and 1.'));
  if (problems.length) throw new AppError('EDGE_FLEET_INVALID', `Invalid fleet: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
  return { name: input.name, feedbackThreshold, canaryShare, feedbackDataset, health };
}

export const toFleet = (r: EdgeFleetsTable): Fleet => ({
  id: r.id, name: r.name, feedbackThreshold: Number(r.feedback_threshold), canaryShare: Number(r.canary_share), feedbackDataset: r.feedback_dataset,
  health: { ...DEFAULT_HEALTH, ...(JSON.parse(r.health_json) as Partial<HealthPolicy>) }, stableModelId: r.stable_model_id, createdAt: r.created_at,
});

export const toDevice = (r: EdgeDevicesTable): Device => ({
  id: r.id, fleetId: r.fleet_id, name: r.name, revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at, modelId: r.model_id,
  heartbeat: r.heartbeat_json ? (JSON.parse(r.heartbeat_json) as Heartbeat) : null, createdAt: r.created_at,
});

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function createFleetStore(db: Kysely<Database>) {
  async function fleet(name: string): Promise<Fleet> {
    const row = await db.selectFrom('edge_fleets').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('EDGE_FLEET_NOT_FOUND', `No fleet "${name}".`, { problems: [problem('fleet', 'no such fleet', 'List fleets with `sagebrush edge fleets list`, or create it with `sagebrush edge fleets create NAME`.')] });
    return toFleet(row);
  }
  async function fleetById(id: string): Promise<Fleet> {
    return toFleet(await db.selectFrom('edge_fleets').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }
  async function device(fleetName: string, name: string): Promise<{ fleet: Fleet; device: Device }> {
    const f = await fleet(fleetName);
    const row = await db.selectFrom('edge_devices').selectAll().where('fleet_id', '=', f.id).where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('EDGE_DEVICE_NOT_FOUND', `Fleet "${fleetName}" has no device "${name}".`, { problems: [problem('device', 'no such device', `List devices with \`sagebrush edge devices list --fleet ${fleetName}\`.`)] });
    return { fleet: f, device: toDevice(row) };
  }

  return {
    fleet,
    fleetById,
    device,
    async createFleet(input: FleetInput): Promise<Fleet> {
      const f = checkFleet(input);
      const at = nowIso();
      const row = { id: newId('flt'), name: f.name, feedback_threshold: f.feedbackThreshold, canary_share: f.canaryShare, feedback_dataset: f.feedbackDataset, health_json: JSON.stringify(f.health), stable_model_id: null, created_at: at, updated_at: at };
      try {
        await db.insertInto('edge_fleets').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A fleet named "${f.name}" already exists.`, { problems: [problem('name', 'taken', 'Pick another name.')] });
        throw err;
      }
      return toFleet(row);
    },
    async listFleets(): Promise<Fleet[]> {
      return (await db.selectFrom('edge_fleets').selectAll().orderBy('name').execute()).map(toFleet);
    },
    async devices(fleetId: string): Promise<Device[]> {
      return (await db.selectFrom('edge_devices').selectAll().where('fleet_id', '=', fleetId).orderBy('name').execute()).map(toDevice);
    },
    /** A new device and its token (returned once); registering a known name replaces its token (re-enrolment). */
    async registerDevice(fleetName: string, name: string): Promise<{ device: Device; token: string }> {
      const f = await fleet(fleetName);
      if (!EDGE_NAME.test(name)) throw new AppError('VALIDATION_FAILED', `Device name "${name.slice(0, 80)}" is not allowed.`, { problems: [problem('name', 'invalid device name', 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.')] });
      const token = `sbd_${randomBytes(32).toString('base64url')}`;
      const existing = await db.selectFrom('edge_devices').select('id').where('fleet_id', '=', f.id).where('name', '=', name).executeTakeFirst();
      if (existing) {
        await db.updateTable('edge_devices').set({ token_hash: hashToken(token), revoked_at: null }).where('id', '=', existing.id).execute();
      } else {
        await db.insertInto('edge_devices').values({ id: newId('dev'), fleet_id: f.id, name, token_hash: hashToken(token), revoked_at: null, last_seen_at: null, model_id: null, heartbeat_json: null, created_at: nowIso() }).execute();
      }
      return { device: (await device(fleetName, name)).device, token };
    },
    async revokeDevice(fleetName: string, name: string): Promise<Device> {
      const { device: d } = await device(fleetName, name);
      if (!d.revokedAt) await db.updateTable('edge_devices').set({ revoked_at: nowIso() }).where('id', '=', d.id).execute();
      return (await device(fleetName, name)).device;
    },
    /** The device a bearer token belongs to: EDGE_DEVICE_TOKEN_INVALID (none / unknown) or EDGE_DEVICE_REVOKED. */
    async authenticate(token: string | undefined): Promise<{ device: Device; fleet: Fleet }> {
      if (!token) throw new AppError('EDGE_DEVICE_TOKEN_INVALID', 'Send Authorization: Bearer <device token> (printed by `sagebrush edge devices register`).');
      const row = await db.selectFrom('edge_devices').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
      if (!row) throw new AppError('EDGE_DEVICE_TOKEN_INVALID', 'The device token belongs to no device; register the device again for a new token.');
      if (row.revoked_at) throw new AppError('EDGE_DEVICE_REVOKED', `The token of device "${row.name}" was revoked at ${row.revoked_at}; register the device again and restart its agent with the new token.`);
      return { device: toDevice(row), fleet: await fleetById(row.fleet_id) };
    },
  };
}
export type FleetStore = ReturnType<typeof createFleetStore>;
