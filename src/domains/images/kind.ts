/**
 * The `image-classifier` model kind: its runtime (the images service's model cache) and its real-time invocation
 * route, `POST /endpoints/:name/predict-image` — one image as multipart part `file` or JSON `{image: base64}`;
 * `?explain=true` adds the nearest training images and occlusion saliency.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { invocationOptions, type InvocationContext, type ModelKindDefinition } from '../models/kinds.ts';
import { readImage } from './readImage.ts';
import { predictQuery } from './schema.ts';
import { IMAGE_MODEL_KIND, type ImagesService } from './service.ts';

type KindImages = Pick<ImagesService, 'runtime' | 'predictWithModel'>;

async function predictImageRoutes(app: FastifyInstance, ctx: InvocationContext, images: KindImages, maxUploadBytes: number): Promise<void> {
  const summary = 'Classify one image with an image-classifier endpoint (multipart "file" or JSON {image: base64}); ?explain=true';
  app.withTypeProvider<ZodTypeProvider>().post('/endpoints/:name/predict-image', invocationOptions(ctx, summary, { querystring: predictQuery }), async (req) => {
    const { model } = await ctx.served(req.params.name, 'predict-image');
    return images.predictWithModel(model, await readImage(req, maxUploadBytes), { explain: req.query.explain });
  });
}

/** The model-kind table's entry for image classifiers (registered in app/services.ts). */
export function imageClassifierKind(images: KindImages, opts: { maxUploadBytes: number }): ModelKindDefinition {
  return {
    kind: IMAGE_MODEL_KIND,
    label: 'image classifier',
    runtime: images.runtime,
    invocations: [{ method: 'POST', path: 'predict-image', summary: 'Classify one image (multipart "file" or JSON {image: base64}); ?explain=true' }],
    routes: (app, ctx) => predictImageRoutes(app, ctx, images, opts.maxUploadBytes),
  };
}
