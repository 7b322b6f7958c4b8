/**
 * Deployments of a detector version to a fleet. With a stable version already running and a canary share below 1,
 * the new version goes to that share of the fleet's devices first (state `canary`); the canary's health (health.ts)
 * then promotes it to the whole fleet or rolls it back, automatically. The artifact's sha256 and size are fixed when
 * the deployment is made: an agent that downloads anything else refuses it (EDGE_MODEL_CHECKSUM_MISMATCH).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { Database, EdgeDeploymentsTable } from '../../storage/schema.ts';
import type { Device, Fleet, FleetStore } from './fleets.ts';
import { evaluateHealth, type HealthReport } from './health.ts';
import type { DesiredModel } from './protocol.ts';

export const DEPLOYMENT_STATES = ['canary', 'promoted', 'rolled_back', 'superseded'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface Deployment {
  id: string;
  modelId: string;
  model: string;
  sha256: string;
  size: number;
  previousModelId: string | null;
  state: DeploymentState;
  canaryShare: number;
  canaryDevices: string[];
  health: HealthReport | null;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  decidedAt: string | null;
}

/** The narrow model-registry port: a version by reference, and its ONNX artifact key. */
export interface EdgeModelsPort {
  resolve(ref: string): Promise<{ id: string; name: string; version: number; kind: string; status: string; artifacts: Record<string, string> }>;
}

const toDeployment = (r: EdgeDeploymentsTable): Deployment => ({
  id: r.id, modelId: r.model_id, model: r.model_ref, sha256: r.sha256, size: Number(r.size), previousModelId: r.previous_model_id,
  state: r.state as DeploymentState, canaryShare: Number(r.canary_share), canaryDevices: JSON.parse(r.canary_devices_json) as string[],
  health: r.health_json ? (JSON.parse(r.health_json) as HealthReport) : null, reason: r.reason, createdBy: r.created_by, createdAt: r.created_at, decidedAt: r.decided_at,
});

/** The detector's ONNX artifact: `onnx`, `model.onnx`, `detector.onnx`, else the only `*.onnx` one. */
export function onnxArtifact(artifacts: Record<string, string>): string | undefined {
  for (const k of ['onnx', 'model.onnx', 'detector.onnx']) if (artifacts[k]) return artifacts[k];
  return Object.entries(artifacts).find(([k, v]) => k.endsWith('.onnx') || v.endsWith('.onnx'))?.[1];
}

const invalid = (field: string, what: string, fix: string) => new AppError('EDGE_DEPLOYMENT_INVALID', `Cannot deploy: ${what}.`, { problems: [{ field, problem: what, fix }] });

export function createDeployments(deps: { db: Kysely<Database>; artifacts: ArtifactStore; models: EdgeModelsPort; fleets: FleetStore }) {
  const { db, artifacts, models, fleets } = deps;
  /** Told when a fleet's desired models may have changed (long-polling devices wake up). */
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  async function list(fleetId: string): Promise<Deployment[]> {
    return (await db.selectFrom('edge_deployments').selectAll().where('fleet_id', '=', fleetId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toDeployment);
  }
  const current = async (fleetId: string) => (await list(fleetId)).find((d) => d.state === 'canary');

  async function deploy(fleetName: string, ref: string, options: { canary?: number; by: string }): Promise<Deployment> {
    const fleet = await fleets.fleet(fleetName);
    const model = await models.resolve(ref);
    if (model.kind !== 'detector') throw invalid('model', `${model.name}:${model.version} is a ${model.kind}, not a detector`, 'Deploy a detector version (`sagebrush models list --kind detector`).');
    if (model.status !== 'ready') throw invalid('model', `${model.name}:${model.version} is ${model.status}`, 'Wait for its training to finish, or deploy another version.');
    const key = onnxArtifact(model.artifacts);
    if (!key) throw invalid('model', `${model.name}:${model.version} has no ONNX artifact`, 'Deploy a detector trained by `sagebrush detection train`.');
    const share = options.canary ?? fleet.canaryShare;
    if (!(share >= 0 && share <= 1)) throw invalid('canary', `canary share ${share} is outside 0–1`, 'Give --canary between 0 and 1.');
    const bytes = await artifacts.get(key);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const devices = (await fleets.devices(fleet.id)).filter((d) => !d.revokedAt);
    const stable = fleet.stableModelId;
    // A canary needs something to fall back to and a share that leaves some devices on it.
    const canaryCount = stable && stable !== model.id && share > 0 && share < 1 ? Math.max(1, Math.min(devices.length - 1, Math.round(share * devices.length))) : 0;
    const canaryDevices = canaryCount > 0 ? devices.slice(0, canaryCount).map((d) => d.id) : [];
    const at = nowIso();
    const row: EdgeDeploymentsTable = {
      id: newId('dpl'), fleet_id: fleet.id, model_id: model.id, model_ref: `${model.name}:${model.version}`, artifact_key: key, sha256, size: bytes.length,
      previous_model_id: stable, state: canaryDevices.length ? 'canary' : 'promoted', canary_share: share, canary_devices_json: JSON.stringify(canaryDevices),
      health_json: null, reason: canaryDevices.length ? null : stable ? 'deployed to the whole fleet (no canary)' : 'first version of the fleet: no stable version to canary against',
      created_by: options.by, created_at: at, decided_at: canaryDevices.length ? null : at,
    };
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('edge_deployments').set({ state: 'superseded', decided_at: at, reason: `superseded by ${row.model_ref}` }).where('fleet_id', '=', fleet.id).where('state', '=', 'canary').execute();
      await trx.insertInto('edge_deployments').values(row).execute();
      if (row.state === 'promoted') await trx.updateTable('edge_fleets').set({ stable_model_id: model.id, updated_at: at }).where('id', '=', fleet.id).execute();
    });
    changes.emit(fleet.id);
    return toDeployment(row);
  }

  /** The version a device should run now: the canary's for canary devices, else the fleet's stable version. */
  async function desired(fleet: Fleet, device: Device): Promise<DesiredModel> {
    const deployments = await list(fleet.id);
    const canary = deployments.find((d) => d.state === 'canary');
    const stableId = (await fleets.fleetById(fleet.id)).stableModelId;
    const chosen = canary && canary.canaryDevices.includes(device.id) ? canary : deployments.find((d) => d.modelId === stableId && d.state === 'promoted');
    return {
      device: device.name, fleet: fleet.name, feedbackThreshold: fleet.feedbackThreshold,
      model: chosen ? { id: chosen.modelId, ref: chosen.model, sha256: chosen.sha256, size: chosen.size, deploymentId: chosen.id, canary: chosen.state === 'canary' } : null,
    };
  }

  /** Long poll: returns at once when the desired model differs from `currentModelId`, else on a change or timeout. */
  async function waitDesired(fleet: Fleet, device: Device, currentModelId: string | null, waitMs: number, signal?: AbortSignal): Promise<DesiredModel> {
    const first = await desired(fleet, device);
    if (waitMs <= 0 || (first.model?.id ?? null) !== currentModelId) return first;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        changes.off(fleet.id, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      changes.on(fleet.id, done);
      signal?.addEventListener('abort', done);
    });
    return desired(fleet, device);
  }

  /** Re-judges the fleet's canary from its devices' results and model errors; promotes or rolls back when decided. */
  async function judgeCanary(fleetId: string): Promise<Deployment | undefined> {
    const canary = await current(fleetId);
    if (!canary || canary.canaryDevices.length === 0) return undefined;
    const fleet = await fleets.fleetById(fleetId);
    const since = new Date(Math.max(Date.parse(canary.createdAt), Date.now() - fleet.health.windowSeconds * 1000)).toISOString();
    const rows = await db.selectFrom('edge_results').select(['latency_ms', 'error_code']).where('model_id', '=', canary.modelId).where('device_id', 'in', canary.canaryDevices).where('received_at', '>=', since).execute();
    const devs = (await fleets.devices(fleetId)).filter((d) => canary.canaryDevices.includes(d.id));
    const modelErrors = devs.flatMap((d) => (d.heartbeat?.modelError?.modelId === canary.modelId && d.lastSeenAt && d.lastSeenAt >= canary.createdAt ? [{ device: d.name, code: d.heartbeat.modelError.code }] : []));
    const report = evaluateHealth(rows.map((r) => ({ latencyMs: r.latency_ms === null ? null : Number(r.latency_ms), errorCode: r.error_code })), modelErrors, fleet.health);
    const at = nowIso();
    if (report.decision === 'wait') {
      await db.updateTable('edge_deployments').set({ health_json: JSON.stringify(report) }).where('id', '=', canary.id).where('state', '=', 'canary').execute();
      return undefined;
    }
    const state: DeploymentState = report.decision === 'promote' ? 'promoted' : 'rolled_back';
    const changed = await db.transaction().execute(async (trx) => {
      // Guarded: two ingestions judging at once decide once.
      const r = await trx.updateTable('edge_deployments').set({ state, health_json: JSON.stringify(report), reason: report.reason, decided_at: at }).where('id', '=', canary.id).where('state', '=', 'canary').executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (state === 'promoted') await trx.updateTable('edge_fleets').set({ stable_model_id: canary.modelId, updated_at: at }).where('id', '=', fleetId).execute();
      return true;
    });
    if (!changed) return undefined;
    changes.emit(fleetId);
    return { ...canary, state, health: report, reason: report.reason, decidedAt: at };
  }

  /** The ONNX file of a version deployed (ever) to the device's fleet; EDGE_MODEL_NOT_DEPLOYED otherwise. */
  async function modelFile(fleet: Fleet, modelId: string) {
    const row = await db.selectFrom('edge_deployments').select(['artifact_key', 'sha256', 'size']).where('fleet_id', '=', fleet.id).where('model_id', '=', modelId).orderBy('created_at', 'desc').executeTakeFirst();
    if (!row) throw new AppError('EDGE_MODEL_NOT_DEPLOYED', `Model version ${modelId} is not deployed to fleet "${fleet.name}".`, { problems: [{ field: 'modelId', problem: 'not deployed to this fleet', fix: 'Download only what GET /api/v1/edge/device/desired names.' }] });
    return { key: row.artifact_key, sha256: row.sha256, size: Number(row.size), stream: await artifacts.getStream(row.artifact_key) };
  }

  return { deploy, list, desired, waitDesired, judgeCanary, modelFile };
}
export type Deployments = ReturnType<typeof createDeployments>;
