/**
 * /api/v1/jobs: list, read, logs, cancel, the registered job types, and live progress as Server-Sent Events.
 * Thin: each route calls the queue. SSE responses are written to the raw socket with heartbeat comments, and every
 * subscription and timer is released when the client goes away.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { describeJobType } from './registry.ts';
import { jobIdParams, jobListQuery, jobListSchema, jobLogsQuery, jobLogsSchema, jobSchema, jobTypesSchema } from './schema.ts';
import { isTerminal } from './support.ts';
import type { Job, JobEvent, JobQueue } from './types.ts';

/** What the job routes use. */
export interface JobRouteDeps {
  queue: JobQueue;
}

const HEARTBEAT_MS = 15_000;
/** A job stream re-reads the job this often, for jobs run by another process (embedded queue). */
const POLL_MS = 1_000;

const sseDoc = (summary: string) => ({
  tags: ['jobs'],
  summary,
  description: 'Server-Sent Events: one `data: {"jobId","status","progress","message"}` block per change; `:` comment lines are heartbeats.',
  produces: ['text/event-stream'],
});

interface SseStream {
  send(event: JobEvent): void;
  close(): void;
  onClose(fn: () => void): void;
}

function openSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  reply.hijack(); // fastify no longer manages this response; we own the socket
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx: do not buffer the stream
    'x-request-id': request.id,
  });
  res.write('retry: 3000\n\n');
  const closers: Array<() => void> = [];
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  let closed = false;
  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers) fn();
  };
  res.on('close', cleanup);
  return {
    send(event) {
      if (!closed) res.write(`data: ${JSON.stringify(event)}\n\n`);
    },
    close() {
      cleanup();
      res.end();
    },
    onClose(fn) {
      closers.push(fn);
    },
  };
}

const eventOf = (job: Job): JobEvent => ({ jobId: job.id, status: job.status, progress: job.progress, message: job.message });

export async function jobRoutes(app: FastifyInstance, deps: JobRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { queue } = deps;

  r.get('/jobs/types', {
    schema: { tags: ['jobs'], summary: 'The registered job types: payload and result JSON Schema, idempotency', response: { 200: jobTypesSchema } },
  }, async () => ({ items: queue.definitions().map(describeJobType) }));

  r.get('/jobs', {
    schema: { tags: ['jobs'], summary: 'List jobs, newest first', querystring: jobListQuery, response: { 200: jobListSchema } },
  }, async (req) => queue.list(req.query));

  r.get('/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'One job', params: jobIdParams, response: { 200: jobSchema } },
  }, async (req) => queue.get(req.params.id));

  r.get('/jobs/:id/logs', {
    schema: { tags: ['jobs'], summary: "A job's log lines", params: jobIdParams, querystring: jobLogsQuery, response: { 200: jobLogsSchema } },
  }, async (req) => ({ items: await queue.logs(req.params.id, { after: req.query.after }) }));

  r.post('/jobs/:id/cancel', {
    schema: {
      tags: ['jobs'],
      summary: 'Cancel a job (a queued job at once; a running one through its signal)',
      params: jobIdParams,
      response: { 200: jobSchema },
    },
  }, async (req) => queue.cancel(req.params.id));

  r.get('/jobs/:id/events', { schema: { ...sseDoc('Live progress of one job; the stream ends when the job finishes'), params: jobIdParams } }, async (req, reply) => {
    await queue.get(req.params.id); // 404 as problem+json before the stream starts
    const sse = openSse(req, reply);
    let last = '';
    const send = (e: JobEvent) => {
      const key = `${e.status}|${e.progress}|${e.message}`;
      if (key === last) return;
      last = key;
      sse.send(e);
      if (isTerminal(e.status)) sse.close();
    };
    // Subscribe first, then read the current state, so a change in between is not lost.
    sse.onClose(queue.subscribe(send, req.params.id));
    const refresh = () => queue.get(req.params.id).then((job) => send(eventOf(job)), () => sse.close());
    const poll = setInterval(() => void refresh(), POLL_MS);
    sse.onClose(() => clearInterval(poll));
    await refresh();
  });

  r.get('/events', { schema: sseDoc('Live changes of every job (open-ended stream)') }, async (req, reply) => {
    const sse = openSse(req, reply);
    sse.onClose(queue.subscribe((e) => sse.send(e)));
  });
}
