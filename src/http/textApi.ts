/**
 * The routes of the lean text context (app/textServices.ts) that the embedded CLI's text and dataset commands call
 * in-process: datasets, jobs and text classification under /api/v1, built exactly as routes.ts builds them — only
 * without the other domains' plugins, whose modules (and schemas to compile) a one-shot `text train` does not need.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import type { TextServices } from '../app/textServices.ts';
import { datasetRoutes } from '../domains/datasets/index.ts';
import { textRoutes } from '../domains/text/index.ts';
import { jobRoutes } from '../jobs/routes.ts';

export async function registerTextApi(app: FastifyInstance, ctx: AppContext<TextServices>): Promise<void> {
  const s = ctx.services;
  const { maxUploadBytes } = ctx.config;
  await app.register(
    async (api) => {
      await datasetRoutes(api, { datasets: s.datasets, maxUploadBytes });
      await jobRoutes(api, { queue: ctx.queue });
      await textRoutes(api, { text: s.text, maxUploadBytes });
    },
    { prefix: '/api/v1' },
  );
  // As routes.ts does: webhook deliveries (a new model version's event) are sent by this process, stopped with it.
  s.webhooks.start();
  app.addHook('onClose', async () => s.webhooks.stop());
}
