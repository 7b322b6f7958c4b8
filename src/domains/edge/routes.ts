/**
 * /api/v1/edge: fleets, devices (register → a token shown once; revoke), deployments and fleet status for people
 * (API-token routes), and /api/v1/edge/device/… for agents. Every device route is in one scope whose onRequest hook
 * authenticates the device token before anything else runs (deny by default, decided on the matched route: the
 * routes declare `auth: 'device'`, which the global API-token check leaves to this hook).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../core/http/principal.ts';
import type { Device, Fleet } from './fleets.ts';
import { fleetInputSchema } from './fleets.ts';
import { CLIENT_ID, feedbackSchema, heartbeatSchema, parseUpload, resultsBatchSchema } from './protocol.ts';
import type { EdgeService } from './service.ts';

export interface EdgeRouteDeps {
  edge: EdgeService;
}

const fleetParam = z.object({ fleet: z.string().min(1).max(63) });
const deviceParam = fleetParam.extend({ device: z.string().min(1).max(63) });
/** Longest long poll of GET /edge/device/desired. */
export const MAX_WAIT_SECONDS = 30;

export async function edgeRoutes(app: FastifyInstance, deps: EdgeRouteDeps): Promise<void> {
  const { edge } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['edge'];

  r.post('/edge/fleets', { schema: { tags, summary: 'Create a fleet (feedback threshold default 0.7, canary share, health thresholds)', body: fleetInputSchema } },
    async (req, reply) => reply.status(201).send(await edge.createFleet(req.body)));
  r.get('/edge/fleets', { schema: { tags, summary: 'List fleets' } }, async () => ({ items: await edge.listFleets() }));
  r.get('/edge/fleets/:fleet', { schema: { tags, summary: 'Fleet status: devices (model, last seen, inference rate, feedback count) and deployment history', params: fleetParam } },
    async (req) => edge.status(req.params.fleet));
  r.post('/edge/fleets/:fleet/devices', { schema: { tags, summary: 'Register a device: returns its token once (only a hash is stored)', params: fleetParam, body: z.object({ name: z.string().min(1).max(63) }) } },
    async (req, reply) => reply.status(201).send(await edge.registerDevice(req.params.fleet, req.body.name)));
  r.get('/edge/fleets/:fleet/devices', { schema: { tags, summary: 'Devices of a fleet', params: fleetParam } }, async (req) => ({ items: (await edge.status(req.params.fleet)).devices }));
  r.post('/edge/fleets/:fleet/devices/:device/revoke', { schema: { tags, summary: 'Revoke a device token (its agent gets EDGE_DEVICE_REVOKED)', params: deviceParam } },
    async (req) => edge.revokeDevice(req.params.fleet, req.params.device));
  r.post('/edge/fleets/:fleet/deployments', {
    schema: { tags, summary: 'Deploy a detector version to the fleet (a canary share first when a stable version runs)', params: fleetParam, body: z.object({ model: z.string().min(1).max(200), canary: z.number().optional() }) },
  }, async (req, reply) => reply.status(201).send(await edge.deploy(req.params.fleet, req.body.model, { canary: req.body.canary, by: principalOf(req) })));
  r.get('/edge/fleets/:fleet/deployments', { schema: { tags, summary: 'Deployment history, newest first (canary / promoted / rolled_back / superseded)', params: fleetParam } },
    async (req) => ({ items: await edge.deployments(req.params.fleet) }));
  r.get('/edge/fleets/:fleet/feedback', { schema: { tags, summary: 'Low-confidence images the fleet sent back, newest first', params: fleetParam, querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) } },
    async (req) => ({ items: await edge.feedback(req.params.fleet, req.query.limit) }));

  await app.register(async (device) => deviceRoutes(device, edge));
}

async function deviceRoutes(app: FastifyInstance, edge: EdgeService): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const who = new WeakMap<FastifyRequest, { device: Device; fleet: Fleet }>();
  // Every route of this scope: the device token first (a 401 before the body is even read).
  app.addHook('onRequest', async (req) => {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    who.set(req, await edge.authenticate(m?.[1]?.trim()));
  });
  const me = (req: FastifyRequest) => who.get(req)!;
  const config = { auth: 'device' } as const;
  const tags = ['edge-device'];

  r.get('/edge/device/desired', {
    config, schema: { tags, summary: 'The model this device should run (long poll: wait up to N s while it is `current`)', querystring: z.object({ current: z.string().max(80).optional(), wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).default(0) }) },
  }, async (req) => {
    const { device, fleet } = me(req);
    const abort = new AbortController();
    req.raw.once('close', () => abort.abort());
    return edge.desired(fleet, device, req.query.current || null, req.query.wait * 1000, abort.signal);
  });
  r.get('/edge/device/models/:modelId', { config, schema: { tags, summary: "A deployed version's ONNX file (sha256 in x-sagebrush-sha256)", params: z.object({ modelId: z.string().min(1).max(80) }) } }, async (req, reply) => {
    const file = await edge.modelFile(me(req).fleet, req.params.modelId);
    return reply.type('application/octet-stream').header('x-sagebrush-sha256', file.sha256).header('x-sagebrush-size', String(file.size)).send(file.stream);
  });
  r.post('/edge/device/heartbeat', { config, schema: { tags, summary: 'Heartbeat: model version, inference rate, queue depth, disk use, warnings' } }, async (req) => {
    const { device, fleet } = me(req);
    await edge.heartbeat(fleet, device, parseUpload(heartbeatSchema, req.body, 'heartbeat'));
    return { ok: true };
  });
  r.post('/edge/device/results', { config, schema: { tags, summary: 'A batch of inference results (idempotent by result id)' } }, async (req) => {
    const { device, fleet } = me(req);
    return edge.ingestResults(fleet, device, parseUpload(resultsBatchSchema, req.body, 'results batch').results);
  });
  r.put('/edge/device/feedback/:id', { config, schema: { tags, summary: 'A low-confidence image for the labeling inbox (idempotent by id)', params: z.object({ id: CLIENT_ID }) } }, async (req, reply) => {
    const { device, fleet } = me(req);
    const out = await edge.ingestFeedback(fleet, device, req.params.id, parseUpload(feedbackSchema, req.body, 'feedback upload'));
    return reply.status(out.created ? 201 : 200).send(out);
  });
}
