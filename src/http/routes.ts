import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { datasetRoutes } from '../domains/datasets/index.ts';
import { endpointRoutes } from '../domains/endpoints/index.ts';
import { modelRoutes } from '../domains/models/index.ts';
import { textRoutes } from '../domains/text/index.ts';
import { textQualityRoutes } from '../domains/quality/index.ts';
import { llmRoutes, openAiRoutes } from '../domains/llm/index.ts';
import { summarizeRoutes } from '../domains/summarize/index.ts';
import { ruleRoutes } from '../domains/cql/index.ts';
import { jobRoutes } from '../jobs/routes.ts';
import { cdsApiRoutes, cdsHooksRoutes } from '../domains/cds/index.ts';
import { imageRoutes } from '../domains/images/index.ts';
import { fhirApiRoutes, fhirRoutes } from '../domains/fhir/index.ts';
import { featureRoutes } from '../domains/features/index.ts';
import { modelRegistryRoutes } from '../domains/models/index.ts';
import { webhookRoutes } from '../domains/webhooks/index.ts';
import { pipelineRoutes } from '../domains/pipelines/index.ts';
import { detectionDatasetRoutes, detectionRoutes } from '../domains/detection/index.ts';
import { edgeRoutes } from '../domains/edge/index.ts';
import { labelingRoutes } from '../domains/labeling/index.ts';
import { finetuneRoutes } from '../domains/finetune/index.ts';
import { hasValidApiToken } from './auth.ts';

/** Each domain contributes one plugin; routes stay thin and call the domain service. */
export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Each plugin gets only what it uses (its deps interface, declared in the domain), built here from the context.
  const s = ctx.services;
  const { maxUploadBytes } = ctx.config;
  await app.register(
    async (api) => {
      await datasetRoutes(api, { datasets: s.datasets, maxUploadBytes });
      await jobRoutes(api, { queue: ctx.queue });
      await modelRoutes(api, { models: s.models, kinds: s.kinds });
      await endpointRoutes(api, { endpoints: s.endpoints, kinds: s.kinds });
      await textRoutes(api, { text: s.text, maxUploadBytes });
      await llmRoutes(api, { llm: s.llm, maxUploadBytes });
      await textQualityRoutes(api, { textQuality: s.textQuality });
      await summarizeRoutes(api, { summarize: s.summarize, maxUploadBytes });
      await ruleRoutes(api, { rules: s.rules });
      await cdsApiRoutes(api, { cds: s.cds, publicUrl: ctx.config.cdsPublicUrl });
      await imageRoutes(api, { images: s.images, datasets: s.datasets, maxUploadBytes });
      await fhirApiRoutes(api, { fhir: s.fhir });
      await featureRoutes(api, { features: s.features, maxUploadBytes });
      await modelRegistryRoutes(api, { registry: s.registry });
      await webhookRoutes(api, { webhooks: s.webhooks });
      await pipelineRoutes(api, { pipelines: s.pipelines });
      await detectionDatasetRoutes(api, { datasets: s.detectionDatasets, maxUploadBytes });
      await detectionRoutes(api, { detection: s.detection, maxUploadBytes });
      await edgeRoutes(api, { edge: s.edge });
      await labelingRoutes(api, { labeling: s.labeling });
      await finetuneRoutes(api, { finetune: s.finetune, maxUploadBytes });
    },
    { prefix: '/api/v1' },
  );
  // Webhook deliveries are sent by the serving process (off the request path); stopped with the server.
  s.webhooks.start();
  app.addHook('onClose', async () => s.webhooks.stop());
  // CDS Hooks at the server root (/cds-services), with its own JWT check, CORS and OperationOutcome errors.
  await app.register(async (root) =>
    cdsHooksRoutes(root, { cds: s.cds, publicUrl: ctx.config.cdsPublicUrl, corsOrigins: ctx.config.cdsCorsOrigins, apiTokens: ctx.config.apiTokens, hasValidApiToken }),
  );
  // FHIR R4 REST at /fhir/R4 (outside /api/v1), with its own body parsers and OperationOutcome errors.
  await fhirRoutes(app, { fhir: s.fhir, publicUrl: ctx.config.cdsPublicUrl });
  // OpenAI-compatible API for LLM endpoints (model = endpoint name).
  await app.register(async (v1) => openAiRoutes(v1, { llm: s.llm, endpoints: s.endpoints, metrics: s.endpoints.metrics }), { prefix: '/v1' });
}
