/**
 * Registry governance routes under /api/v1/models/{name}/…: approval (PendingManualApproval | Approved | Rejected,
 * recorded with the caller's API token name), aliases, tags, the model card and per-model settings
 * (deployOnApproval). Thin: validate, call the registry, answer.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../core/http/principal.ts';
import type { ModelRegistry } from './registry.ts';
import { APPROVAL_STATUSES } from './registryStore.ts';

export interface ModelRegistryRouteDeps {
  registry: ModelRegistry;
}

const nameParam = z.object({ name: z.string().min(1).max(200) });
const versionParams = nameParam.extend({ version: z.coerce.number().int().positive() });
const aliasParams = nameParam.extend({ alias: z.string().min(1).max(200) });
const ref = (p: { name: string; version: number }) => `${p.name}:${p.version}`;

export async function modelRegistryRoutes(app: FastifyInstance, deps: ModelRegistryRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = deps;

  r.get('/models/:name/versions/:version/approval', { schema: { tags: ['models'], summary: 'Approval status of a version, with its history (who, when, why)', params: versionParams } }, async (req) => {
    const { model, approval, history } = await registry.approval(ref(req.params));
    return { model: { id: model.id, name: model.name, version: model.version, status: model.status }, ...approval, history };
  });

  r.put('/models/:name/versions/:version/approval', {
    schema: {
      tags: ['models'],
      summary: 'Approve or reject a version (a rejection needs a reason); approving may deploy it (deployOnApproval)',
      params: versionParams,
      body: z.object({ status: z.string().describe(APPROVAL_STATUSES.join(' | ')), reason: z.string().max(5000).optional() }),
    },
  }, async (req) => {
    const out = await registry.setApproval(ref(req.params), req.body, principalOf(req));
    return { model: { id: out.model.id, name: out.model.name, version: out.model.version }, ...out.approval, changed: out.changed, ...(out.deployment ? { deployment: out.deployment } : {}) };
  });

  r.get('/models/:name/aliases', { schema: { tags: ['models'], summary: "A model's aliases and the version each points to", params: nameParam } }, async (req) => ({ items: await registry.aliases(req.params.name) }));

  r.put('/models/:name/aliases/:alias', {
    schema: { tags: ['models'], summary: 'Point an alias at a version (moves it atomically; one holder per alias)', params: aliasParams, body: z.object({ version: z.number().int().positive() }) },
  }, async (req) => registry.setAlias(req.params.name, req.params.alias, req.body.version, principalOf(req)));

  r.delete('/models/:name/aliases/:alias', { schema: { tags: ['models'], summary: 'Remove an alias', params: aliasParams } }, async (req, reply) => {
    await registry.deleteAlias(req.params.name, req.params.alias, principalOf(req));
    return reply.status(204).send();
  });

  r.get('/models/:name/versions/:version/tags', { schema: { tags: ['models'], summary: "A version's tags", params: versionParams } }, async (req) => ({ tags: await registry.tags(ref(req.params)) }));

  r.put('/models/:name/versions/:version/tags', {
    schema: { tags: ['models'], summary: 'Set tags (merged into the existing ones)', params: versionParams, body: z.object({ tags: z.record(z.string(), z.string()) }) },
  }, async (req) => ({ tags: await registry.putTags(ref(req.params), req.body.tags, principalOf(req)) }));

  r.delete('/models/:name/versions/:version/tags/:key', { schema: { tags: ['models'], summary: 'Remove a tag', params: versionParams.extend({ key: z.string().min(1).max(200) }) } }, async (req, reply) => {
    await registry.deleteTag(ref(req.params), req.params.key);
    return reply.status(204).send();
  });

  r.get('/models/:name/versions/:version/card', { schema: { tags: ['models'], summary: 'The model card: description, intended use, limitations, metrics, training data lineage', params: versionParams } }, async (req) =>
    registry.card(ref(req.params)),
  );

  r.put('/models/:name/versions/:version/card', {
    schema: {
      tags: ['models'],
      summary: "Write the model card's text (fields left out are kept)",
      params: versionParams,
      body: z.object({ description: z.string().optional(), intendedUse: z.string().optional(), limitations: z.string().optional() }),
    },
  }, async (req) => registry.putCard(ref(req.params), req.body, principalOf(req)));

  r.get('/models/:name/settings', { schema: { tags: ['models'], summary: 'Registry settings of a model (deployOnApproval)', params: nameParam } }, async (req) => registry.settings(req.params.name));

  r.put('/models/:name/settings', {
    schema: {
      tags: ['models'],
      summary: 'Set deployOnApproval: when a version becomes Approved, the endpoint is created or re-pointed to it (null: off)',
      params: nameParam,
      body: z.object({ deployOnApproval: z.object({ endpoint: z.string().min(1).max(200) }).nullable() }),
    },
  }, async (req) => registry.putSettings(req.params.name, req.body, principalOf(req)));
}
