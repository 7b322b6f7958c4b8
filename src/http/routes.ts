import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { datasetRoutes } from '../domains/datasets/index.ts';
import { endpointRoutes } from '../domains/endpoints/index.ts';
import { modelRoutes } from '../domains/models/index.ts';
import { textRoutes } from '../domains/text/index.ts';
import { textQualityRoutes } from '../domains/quality/index.ts';
import { llmRoutes } from '../domains/llm/routes.ts';
import { openAiRoutes } from '../domains/llm/openai.ts';
import { summarizeRoutes } from '../domains/summarize/index.ts';
import { ruleRoutes } from '../domains/cql/routes.ts';
import { jobRoutes } from '../jobs/routes.ts';
import { cdsApiRoutes, cdsHooksRoutes } from '../domains/cds/routes.ts';
import { imageRoutes } from '../domains/images/index.ts';
import { fhirApiRoutes, fhirRoutes } from '../domains/fhir/routes.ts';

/** Each domain contributes one plugin; routes stay thin and call the domain service. */
export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const s = ctx.services;
  const { maxUploadBytes } = ctx.config;
  await app.register(
    async (api) => {
      await datasetRoutes(api, { datasets: s.datasets, maxUploadBytes });
      await jobRoutes(api, ctx);
      await modelRoutes(api, { models: s.models, kinds: s.kinds });
      await endpointRoutes(api, { endpoints: s.endpoints, kinds: s.kinds });
      await textRoutes(api, { text: s.text, maxUploadBytes });
      await llmRoutes(api, ctx);
      await textQualityRoutes(api, { textQuality: s.textQuality });
      await summarizeRoutes(api, { summarize: s.summarize, maxUploadBytes });
      await ruleRoutes(api, ctx);
      await cdsApiRoutes(api, ctx);
      await imageRoutes(api, { images: s.images, datasets: s.datasets, endpoints: s.endpoints, maxUploadBytes });
      await fhirApiRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );
  // CDS Hooks at the server root (/cds-services), with its own JWT check, CORS and OperationOutcome errors.
  await app.register(async (root) => cdsHooksRoutes(root, ctx));
  // FHIR R4 REST at /fhir/R4 (outside /api/v1), with its own body parsers and OperationOutcome errors.
  await fhirRoutes(app, ctx);
  // OpenAI-compatible API for LLM endpoints (model = endpoint name).
  await app.register(async (v1) => openAiRoutes(v1, ctx), { prefix: '/v1' });
}
