/**
 * The llm kind serves its invocation routes (invocations, infill, GET llm) from the model-kind table (kind.ts), like
 * text: through the real app, with the same answers the llm routes plugin gave when it registered them itself.
 */
import { expect, it } from 'vitest';
import { problem } from '../datasets/testing/harness.ts';
import { useAppWithTextEndpoint } from '../endpoints/testing.ts';

const app = useAppWithTextEndpoint('tickets-ep');

it('is an entry of the model-kind table with its own routes (no longer registered by the llm plugin)', () => {
  const kind = app.t.ctx.services.kinds.get('llm');
  expect(kind.invocations.map((r) => `${r.method} ${r.path}`)).toEqual(['POST invocations', 'POST infill', 'GET llm']);
  expect(typeof kind.routes).toBe('function');
  expect(kind.configFromHeaders?.({ 'x-amzn-sagemaker-custom-attributes': 'accept_eula=true' })).toEqual({ acceptEula: true });
});

it('answers 409 on a text endpoint with the LLM domain message, and counts invocations and infill in the metrics', async () => {
  const detail = 'Endpoint "tickets-ep" serves a text-classifier model, not an LLM; use its own route (e.g. /classify).';
  const calls = [
    { method: 'POST' as const, url: '/api/v1/endpoints/tickets-ep/invocations', payload: { inputs: 'hi' } },
    { method: 'POST' as const, url: '/api/v1/endpoints/tickets-ep/infill', payload: { prefix: 'a', suffix: 'b' } },
    { method: 'GET' as const, url: '/api/v1/endpoints/tickets-ep/llm' },
  ];
  for (const call of calls) {
    const res = await app.t.app.inject(call);
    expect(res.statusCode, call.url).toBe(409);
    expect(problem(res)).toMatchObject({ code: 'CONFLICT', detail });
  }
  const metrics = (await app.t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics' })).json<{ summary: { requests: number; errors: number } }>();
  expect(metrics.summary).toMatchObject({ requests: 2, errors: 2 }); // GET llm is not an invocation
});
