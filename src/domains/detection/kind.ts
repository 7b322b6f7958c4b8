/**
 * The `detector` model kind: its runtime (the detection service's ONNX session cache: warm on endpoint create,
 * evict on delete/re-point) and its invocation route, `POST /endpoints/:name/detect` — one image as multipart part
 * `file` or JSON `{image: base64}`, `?minScore`; answers boxes, scores and classes.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invocationOptions, type InvocationContext, type ModelKindDefinition } from '../models/kinds.ts';
import { DETECTOR_KIND } from './onnxDetector.ts';
import { readUploadedImage } from './readUpload.ts';
import type { DetectionService } from './service.ts';

type KindDetection = Pick<DetectionService, 'runtime' | 'predictWith'>;
const SUMMARY = 'Detect objects in one image with a detector endpoint (multipart "file" or JSON {image: base64}); ?minScore';

async function detectRoutes(app: FastifyInstance, ctx: InvocationContext, detection: KindDetection, maxUploadBytes: number): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post('/endpoints/:name/detect', invocationOptions(ctx, SUMMARY, { querystring: z.object({ minScore: z.coerce.number().min(0).max(1).optional() }) }), async (req) => {
    const { model } = await ctx.served(req.params.name, 'detect');
    const img = await readUploadedImage(req, maxUploadBytes);
    return detection.predictWith(model, img.bytes, { minScore: req.query.minScore, name: img.name });
  });
}

/** The model-kind table's entry for detectors (registered in app/services.ts). */
export function detectorKind(detection: KindDetection, opts: { maxUploadBytes: number }): ModelKindDefinition {
  return {
    kind: DETECTOR_KIND,
    label: 'detector',
    runtime: detection.runtime,
    invocations: [{ method: 'POST', path: 'detect', summary: SUMMARY }],
    routes: (app, ctx) => detectRoutes(app, ctx, detection, opts.maxUploadBytes),
  };
}
