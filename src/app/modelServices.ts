/**
 * The model lifecycle every model-producing domain relies on, wired once for the full service set (services.ts) and
 * for the lean one the embedded CLI's text commands open (textServices.ts): versions, the model-kind table, endpoints
 * (whose delete guard protects deployed versions), and the registry whose create hook records each new version's
 * webhook event in the same transaction. Sharing this function keeps both sets' hooks identical.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import type { ArtifactStore } from '../storage/artifacts/types.ts';
import type { JobQueue } from '../jobs/types.ts';
import { createEndpointService, ENDPOINT_NAME_PATTERN, type EndpointService } from '../domains/endpoints/index.ts';
import { createModelKindRegistry, createModelRegistry, createModelService, REGISTRY_EVENTS, type ModelKindRegistry, type ModelRegistry, type ModelService } from '../domains/models/index.ts';
import { createWebhookService, type WebhookService } from '../domains/webhooks/index.ts';

/** What every service set is built from. */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
  /** Told after a model's decision rule changed here (a job worker thread tells its host to evict the model). */
  onModelChanged?: (modelId: string) => void;
}

export interface ModelLifecycle {
  models: ModelService;
  /** Filled by each serving domain (kinds.register) after this returns. */
  kinds: ModelKindRegistry;
  endpoints: EndpointService;
  webhooks: WebhookService;
  registry: ModelRegistry;
}

export function createModelLifecycle(deps: Deps): ModelLifecycle {
  const models = createModelService(deps);
  // Endpoints serve every kind of this table (filled by the serving domains) and know none by name.
  const kinds = createModelKindRegistry();
  const endpoints = createEndpointService({ db: deps.db, models, kinds });
  // Registry events go to the webhooks outbox inside the change's transaction; an approval may deploy through endpoints.
  const webhooks = createWebhookService({ db: deps.db, logger: deps.logger, events: REGISTRY_EVENTS, policy: { allowOrigins: deps.config.webhookAllow } });
  const registry = createModelRegistry({ db: deps.db, models, events: webhooks, deployer: { endpointNamePattern: ENDPOINT_NAME_PATTERN, deploy: endpoints.deploy } });
  return { models, kinds, endpoints, webhooks, registry };
}
