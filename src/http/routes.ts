import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { datasetRoutes } from '../domains/datasets/routes.ts';
import { endpointRoutes } from '../domains/endpoints/routes.ts';
import { modelRoutes } from '../domains/models/routes.ts';
import { textRoutes } from '../domains/text/routes.ts';
import { jobRoutes } from '../jobs/routes.ts';

/** Each domain contributes one plugin; routes stay thin and call the domain service. */
export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(
    async (api) => {
      await datasetRoutes(api, ctx);
      await jobRoutes(api, ctx);
      await modelRoutes(api, ctx);
      await endpointRoutes(api, ctx);
      await textRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );
}
