/**
 * Model kinds in one table: kind → how an endpoint serves a model of that kind. A kind (text-classifier,
 * image-classifier, llm; next an object detector or a fine-tuned LLM) is added by one `register` call with the
 * definition its own domain exports: a label, the runtime (prepareConfig → warm → evict), the invocation routes it
 * answers under `/endpoints/:name/…` (and the plugin that serves them), and any endpoint config it reads from request
 * headers. The endpoints domain creates, re-points and deletes endpoints and mounts invocation routes through this
 * table only; it never names a kind.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { ModelVersion } from './store.ts';

/** The endpoint a runtime call is about (absent for kinds that share one loaded model across endpoints). */
export interface EndpointRef {
  id: string;
  name: string;
  config: Record<string, unknown>;
}

/** What an invocation route works on: the endpoint its path names and the model version it serves. */
export interface ServedEndpoint {
  endpoint: EndpointRef;
  model: ModelVersion;
}

/** Loading and unloading a model of the kind behind endpoints. */
export interface ModelKindRuntime {
  /** Validates the endpoint config for this model and fills in defaults; throws AppError when it cannot be served so. */
  prepareConfig?(model: ModelVersion, config: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Loads (warms) the model so the first request is fast; throws when the model cannot be served. */
  warm(model: ModelVersion, endpoint?: EndpointRef): Promise<void>;
  /** Frees what `warm` loaded (the endpoint was deleted or re-pointed). */
  evict(model: ModelVersion, endpoint?: EndpointRef): Promise<void>;
}

/** One route a kind answers on `/endpoints/:name/<path>`. */
export interface InvocationRoute {
  method: 'GET' | 'POST';
  /** One path segment after `/endpoints/:name/`, e.g. `classify`. */
  path: string;
  summary: string;
}

/** Handed by the endpoints domain to a kind's `routes` plugin. */
export interface InvocationContext {
  /**
   * The endpoint `name` and its model, checked to be of this kind: ENDPOINT_NOT_FOUND for an unknown name, CONFLICT
   * ("Endpoint "x" serves a llm model; /classify is for text classifiers.") for a model of another kind.
   */
  served(name: string, route: string): Promise<ServedEndpoint>;
  /** The onResponse hook every invocation route carries: records status and latency in the endpoint's metrics. */
  onResponse(req: FastifyRequest, reply: FastifyReply, done: () => void): void;
}

/** The `:name` param of every `/endpoints/:name/…` route. */
export const endpointNameParams = z.object({ name: z.string().min(1) });

/** What every invocation route's options start with: the endpoints tag, its summary, the `:name` param, the metrics hook. */
export function invocationOptions<S extends object>(ctx: InvocationContext, summary: string, schema: S) {
  return { schema: { tags: ['endpoints'], summary, params: endpointNameParams, ...schema }, onResponse: ctx.onResponse };
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface ModelKindDefinition {
  /** The `kind` stored on model versions, e.g. `text-classifier`. */
  kind: string;
  /** Singular noun for messages and the UI, e.g. `text classifier`. */
  label: string;
  runtime: ModelKindRuntime;
  /** Every route the kind answers under `/endpoints/:name/` (listed by GET /api/v1/model-kinds). */
  invocations: readonly InvocationRoute[];
  /**
   * Registers the handlers of `invocations`, each at `/endpoints/:name/<path>`; the endpoints routes plugin calls it
   * on its /api/v1 scope (text/classify.ts, images/kind.ts, llm/kind.ts). Optional for a kind whose routes some other
   * plugin registers; start-up fails either way when a declared invocation has no route.
   */
  routes?(app: FastifyInstance, ctx: InvocationContext): Promise<void>;
  /** Endpoint config given by request headers on create/update (llm: JumpStart's `accept_eula=true` custom attribute). */
  configFromHeaders?(headers: RequestHeaders): Record<string, unknown> | undefined;
}

/** The public listing of a kind (GET /api/v1/model-kinds). */
export interface ModelKindInfo {
  kind: string;
  label: string;
  invocations: Array<InvocationRoute & { url: string }>;
}

const ROUTE_SEGMENT = /^[a-z][a-z0-9-]{0,62}$/;
/** Paths the endpoints domain serves itself under /endpoints/:name/. */
const RESERVED_PATHS = new Set(['metrics']);

export class ModelKindRegistry {
  readonly #kinds = new Map<string, ModelKindDefinition>();

  /** Adds a kind; a second definition of a kind or of an invocation path is a programming error (thrown at start-up). */
  register(def: ModelKindDefinition): this {
    if (this.#kinds.has(def.kind)) throw new Error(`Model kind "${def.kind}" is registered twice.`);
    for (const r of def.invocations) {
      if (!ROUTE_SEGMENT.test(r.path) || RESERVED_PATHS.has(r.path)) throw new Error(`Model kind "${def.kind}": invocation path "${r.path}" must be one lower-case segment other than ${[...RESERVED_PATHS].join(', ')}.`);
      const owner = this.list().find((k) => k.invocations.some((o) => o.path === r.path && o.method === r.method));
      if (owner) throw new Error(`Model kind "${def.kind}": ${r.method} /endpoints/:name/${r.path} is already served by kind "${owner.kind}".`);
    }
    this.#kinds.set(def.kind, def);
    return this;
  }

  /** The kind's definition, or undefined (for callers with their own error, e.g. endpoint create). */
  find(kind: string): ModelKindDefinition | undefined {
    return this.#kinds.get(kind);
  }

  /** The kind's definition; MODEL_KIND_UNKNOWN naming the registered kinds otherwise. */
  get(kind: string): ModelKindDefinition {
    const def = this.#kinds.get(kind);
    if (!def) {
      throw new AppError('MODEL_KIND_UNKNOWN', `No model kind "${kind}"; this server serves: ${this.names().join(', ') || 'none'}.`, {
        problems: [{ field: 'kind', problem: `unknown model kind "${kind}"`, fix: `Use one of: ${this.names().join(', ') || 'none'} (GET /api/v1/model-kinds lists them).` }],
      });
    }
    return def;
  }

  list(): ModelKindDefinition[] {
    return [...this.#kinds.values()];
  }

  names(): string[] {
    return [...this.#kinds.keys()];
  }

  /** The listing of one kind, with each invocation's full URL under `prefix` (e.g. `/api/v1`). */
  info(kind: string, prefix: string): ModelKindInfo {
    const def = this.get(kind);
    return {
      kind: def.kind,
      label: def.label,
      invocations: def.invocations.map((r) => ({ method: r.method, path: r.path, summary: r.summary, url: `${prefix}/endpoints/{name}/${r.path}` })),
    };
  }
}

export function createModelKindRegistry(): ModelKindRegistry {
  return new ModelKindRegistry();
}
