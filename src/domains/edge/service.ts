/**
 * The edge service: fleets, devices and their tokens (fleets.ts), deployments with canary and rollback
 * (deployments.ts), and what devices send (ingest.ts), composed for the routes and the CLI.
 */
import type { Kysely } from 'kysely';
import type { JobQueue } from '../../jobs/types.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { Database } from '../../storage/schema.ts';
import { createDeployments, type Deployment, type EdgeModelsPort } from './deployments.ts';
import { createFleetStore, type Device, type Fleet, type FleetInput } from './fleets.ts';
import { createIngest, type EdgeInboxPort } from './ingest.ts';
import { edgeJobs } from './jobs.ts';
import type { DesiredModel, EdgeResult, FeedbackUpload, Heartbeat } from './protocol.ts';

export interface DeviceStatus {
  name: string;
  revoked: boolean;
  lastSeenAt: string | null;
  modelId: string | null;
  model: string | null;
  inferenceRate: number | null;
  queueDepth: number | null;
  diskBytes: number | null;
  warnings: string[];
  modelError: Heartbeat['modelError'];
  results: number;
  feedback: number;
}

export interface FleetStatus {
  fleet: Fleet;
  stableModel: string | null;
  devices: DeviceStatus[];
  deployments: Deployment[];
  totals: { results: number; feedback: number; errors: number };
}

export interface FeedbackItem {
  id: string;
  device: string;
  image: string;
  maxScore: number;
  inboxRef: string | null;
  receivedAt: string;
}

export interface EdgeService {
  createFleet(input: FleetInput): Promise<Fleet>;
  listFleets(): Promise<Fleet[]>;
  status(fleet: string): Promise<FleetStatus>;
  registerDevice(fleet: string, name: string): Promise<{ device: Device; token: string }>;
  revokeDevice(fleet: string, name: string): Promise<Device>;
  deploy(fleet: string, modelRef: string, options: { canary?: number; by: string }): Promise<Deployment>;
  deployments(fleet: string): Promise<Deployment[]>;
  feedback(fleet: string, limit: number): Promise<FeedbackItem[]>;
  /** Device side: who the token belongs to (EDGE_DEVICE_TOKEN_INVALID / EDGE_DEVICE_REVOKED otherwise). */
  authenticate(token: string | undefined): Promise<{ device: Device; fleet: Fleet }>;
  desired(fleet: Fleet, device: Device, currentModelId: string | null, waitMs: number, signal?: AbortSignal): Promise<DesiredModel>;
  modelFile(fleet: Fleet, modelId: string): ReturnType<ReturnType<typeof createDeployments>['modelFile']>;
  ingestResults(fleet: Fleet, device: Device, results: EdgeResult[]): Promise<{ accepted: number; duplicates: number }>;
  heartbeat(fleet: Fleet, device: Device, hb: Heartbeat): Promise<void>;
  ingestFeedback(fleet: Fleet, device: Device, id: string, upload: FeedbackUpload): Promise<{ created: boolean; inboxRef: string | null; inboxError?: { code: string; message: string } }>;
}

export interface EdgeServiceDeps {
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  models: EdgeModelsPort;
  /** The labeling inbox (looked up on use, so the labeling domain may be created after this one). */
  inbox?: () => EdgeInboxPort | undefined;
  /** Where the `edge.deploy` job (jobs.ts, pipeline steps) is registered. */
  queue?: Pick<JobQueue, 'register'>;
}

export function createEdgeService(deps: EdgeServiceDeps): EdgeService {
  const { db } = deps;
  const fleets = createFleetStore(db);
  const deployments = createDeployments({ db, artifacts: deps.artifacts, models: deps.models, fleets });
  const ingest = createIngest({ db, artifacts: deps.artifacts, deployments, inbox: deps.inbox });
  if (deps.queue) for (const job of edgeJobs({ models: deps.models, edge: { deploy: deployments.deploy, deployments: async (f) => deployments.list((await fleets.fleet(f)).id) } })) deps.queue.register(job);

  async function countsBy(table: 'edge_results' | 'edge_feedback', fleetId: string): Promise<Map<string, number>> {
    const rows = await db.selectFrom(table).select(['device_id', (eb) => eb.fn.countAll<number>().as('n')]).where('fleet_id', '=', fleetId).groupBy('device_id').execute();
    return new Map(rows.map((r) => [r.device_id, Number(r.n)]));
  }

  return {
    createFleet: (input) => fleets.createFleet(input),
    listFleets: () => fleets.listFleets(),
    async status(name) {
      const fleet = await fleets.fleet(name);
      const [devices, deps_, results, feedback, errors] = await Promise.all([
        fleets.devices(fleet.id), deployments.list(fleet.id), countsBy('edge_results', fleet.id), countsBy('edge_feedback', fleet.id),
        db.selectFrom('edge_results').select((eb) => eb.fn.countAll<number>().as('n')).where('fleet_id', '=', fleet.id).where('error_code', 'is not', null).executeTakeFirstOrThrow(),
      ]);
      const refOf = new Map(deps_.map((d) => [d.modelId, d.model]));
      return {
        fleet,
        stableModel: fleet.stableModelId ? (refOf.get(fleet.stableModelId) ?? fleet.stableModelId) : null,
        devices: devices.map((d) => ({
          name: d.name, revoked: d.revokedAt !== null, lastSeenAt: d.lastSeenAt, modelId: d.modelId, model: d.modelId ? (refOf.get(d.modelId) ?? d.modelId) : null,
          inferenceRate: d.heartbeat?.inferenceRate ?? null, queueDepth: d.heartbeat?.queueDepth ?? null, diskBytes: d.heartbeat?.diskBytes ?? null,
          warnings: d.heartbeat?.warnings ?? [], modelError: d.heartbeat?.modelError ?? null, results: results.get(d.id) ?? 0, feedback: feedback.get(d.id) ?? 0,
        })),
        deployments: deps_,
        totals: { results: [...results.values()].reduce((a, b) => a + b, 0), feedback: [...feedback.values()].reduce((a, b) => a + b, 0), errors: Number(errors.n) },
      };
    },
    registerDevice: (fleet, name) => fleets.registerDevice(fleet, name),
    revokeDevice: (fleet, name) => fleets.revokeDevice(fleet, name),
    deploy: (fleet, ref, options) => deployments.deploy(fleet, ref, options),
    deployments: async (fleet) => deployments.list((await fleets.fleet(fleet)).id),
    async feedback(name, limit) {
      const fleet = await fleets.fleet(name);
      const rows = await db.selectFrom('edge_feedback').innerJoin('edge_devices', 'edge_devices.id', 'edge_feedback.device_id')
        .select(['edge_feedback.id', 'edge_devices.name as device', 'edge_feedback.image', 'edge_feedback.max_score', 'edge_feedback.inbox_ref', 'edge_feedback.received_at'])
        .where('edge_feedback.fleet_id', '=', fleet.id).orderBy('edge_feedback.received_at', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, device: r.device, image: r.image, maxScore: Number(r.max_score), inboxRef: r.inbox_ref, receivedAt: r.received_at }));
    },
    authenticate: (token) => fleets.authenticate(token),
    desired: (fleet, device, current, waitMs, signal) => deployments.waitDesired(fleet, device, current, waitMs, signal),
    modelFile: (fleet, modelId) => deployments.modelFile(fleet, modelId),
    ingestResults: (fleet, device, results) => ingest.results(fleet, device, results),
    heartbeat: (fleet, device, hb) => ingest.heartbeat(fleet, device, hb),
    ingestFeedback: (fleet, device, id, upload) => ingest.feedback(fleet, device, id, upload),
  };
}
