/**
 * Mounts every registered model kind's invocation routes (`/endpoints/:name/<path>`) from the model-kind table, each
 * with the metrics hook and a `served` that resolves the endpoint and checks its model is of the kind. A kind's
 * plugin may register only the routes it declares, and at start-up every declared route must exist (whether the
 * kind's plugin registered it here or its domain's own routes plugin did), so the table's listing cannot drift
 * from what the server answers.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { InvocationContext, ModelKindDefinition, ModelKindRegistry, RequestHeaders } from '../models/kinds.ts';
import { nameFromParams, recordInvocation } from './hook.ts';
import type { EndpointService } from './service.ts';

function invocationContext(endpoints: EndpointService, def: ModelKindDefinition): InvocationContext {
  return {
    async served(name, route) {
      const { endpoint, model } = await endpoints.resolve(name);
      if (model.kind !== def.kind) throw new AppError('CONFLICT', `Endpoint "${name}" serves a ${model.kind} model; /${route} is for ${def.label}s.`);
      return { endpoint, model };
    },
    onResponse: recordInvocation(endpoints.metrics, nameFromParams),
  };
}

export async function mountInvocationRoutes(app: FastifyInstance, endpoints: EndpointService, kinds: ModelKindRegistry): Promise<void> {
  const declared = kinds.list().flatMap((def) => def.invocations.map((r) => ({ kind: def.kind, method: r.method, url: `${app.prefix}/endpoints/:name/${r.path}` })));
  for (const def of kinds.list()) {
    if (!def.routes) continue;
    const mine = new Set(def.invocations.flatMap((r) => [`${r.method} ${r.path}`, ...(r.method === 'GET' ? [`HEAD ${r.path}`] : [])]));
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        const path = route.url.startsWith(`${app.prefix}/endpoints/:name/`) ? route.url.slice(`${app.prefix}/endpoints/:name/`.length) : route.url;
        for (const method of [route.method].flat()) {
          if (!mine.has(`${method} ${path}`)) throw new Error(`Model kind "${def.kind}" registers ${method} ${route.url}, which it does not declare in its invocations.`);
        }
      });
      await def.routes!(scope, invocationContext(endpoints, def));
    });
  }
  app.addHook('onReady', async function checkDeclared() {
    const missing = declared.filter((d) => !this.hasRoute({ method: d.method, url: d.url }));
    if (missing.length > 0) throw new Error(`Declared invocation routes with no handler: ${missing.map((m) => `${m.method} ${m.url} (${m.kind})`).join(', ')}.`);
  });
}

/** Endpoint config from request headers, from every kind that reads any (llm: JumpStart's accept_eula=true). */
export function withHeaderConfig(kinds: ModelKindRegistry, config: Record<string, unknown> | undefined, headers: RequestHeaders): Record<string, unknown> | undefined {
  const fromHeaders = kinds.list().map((def) => def.configFromHeaders?.(headers)).filter((c) => c !== undefined);
  return fromHeaders.length === 0 ? config : Object.assign({ ...(config ?? {}) }, ...fromHeaders);
}
