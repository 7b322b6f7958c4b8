/**
 * The image-classifier kind serves its invocation route from the model-kind table (kind.ts), like text: through
 * the real app, with the same answers the images routes plugin gave when it registered the route itself.
 */
import { expect, it } from 'vitest';
import { problem } from '../datasets/testing/harness.ts';
import { useAppWithTextEndpoint } from '../endpoints/testing.ts';

const app = useAppWithTextEndpoint('tickets-ep');

it('is an entry of the model-kind table with its own routes (no longer registered by the images plugin)', () => {
  const kind = app.t.ctx.services.kinds.get('image-classifier');
  expect(kind.invocations.map((r) => `${r.method} ${r.path}`)).toEqual(['POST predict-image']);
  expect(typeof kind.routes).toBe('function');
});

it('answers 409 naming the kinds for a text endpoint, 404 for an unknown one, and counts both in the metrics', async () => {
  const onText = await app.t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/predict-image', payload: { image: 'aGVsbG8=' } });
  expect(onText.statusCode).toBe(409);
  expect(problem(onText)).toMatchObject({ code: 'CONFLICT', detail: 'Endpoint "tickets-ep" serves a text-classifier model; /predict-image is for image classifiers.' });
  const unknown = await app.t.app.inject({ method: 'POST', url: '/api/v1/endpoints/nope/predict-image', payload: { image: 'aGVsbG8=' } });
  expect(unknown.statusCode).toBe(404);
  const metrics = (await app.t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics' })).json<{ summary: { requests: number; errors: number } }>();
  expect(metrics.summary).toMatchObject({ requests: 1, errors: 1 });
});
