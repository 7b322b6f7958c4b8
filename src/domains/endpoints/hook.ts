/**
 * The onResponse hook every invocation route carries (classify, predict-image, LLM invocations and infill, OpenAI
 * completions and chat): it records the answer's status and latency for the endpoint the request named. Latency is
 * fastify's `reply.elapsedTime`: from the request's arrival to the last byte sent (for a streamed answer, the whole
 * stream). Names that are not endpoints of this process are ignored by the recorder (EndpointMetrics.record).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EndpointMetrics } from './metrics.ts';

/** `/endpoints/:name/…` routes: the name is the path parameter. */
export const nameFromParams = (req: FastifyRequest): unknown => (req.params as { name?: unknown } | undefined)?.name;
/** OpenAI-compatible routes: the endpoint is the body's `model` (also on a body that failed validation). */
export const nameFromBodyModel = (req: FastifyRequest): unknown => (req.body as { model?: unknown } | null | undefined)?.model;

export function recordInvocation(metrics: EndpointMetrics, nameOf: (req: FastifyRequest) => unknown) {
  return function onResponse(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const name = nameOf(req);
    if (typeof name === 'string') metrics.record(name, reply.elapsedTime, reply.statusCode);
    done();
  };
}
