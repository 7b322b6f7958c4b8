/**
 * The job routes on a minimal app (zod compilers, problem+json errors, OpenAPI) over a real embedded
 * queue on SQLite; the full app is assembled and tested in src/http.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { toProblem } from '../core/http/problem.ts';
import { databaseBackends, type TestDatabase } from '../storage/testing.ts';
import { EmbeddedJobQueue } from './embedded.ts';
import { jobRoutes } from './routes.ts';
import { anyJob, type TestQueue } from './testing.ts';
import type { JobEvent } from './types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let app: FastifyInstance | undefined;
let queue: TestQueue | undefined;
let database: TestDatabase | undefined;
let unsubscribed = 0;

async function setup() {
  unsubscribed = 0;
  database = await databaseBackends()[0]!.open();
  queue = new EmbeddedJobQueue(database.db, { timings: { watchMs: 50, pollMs: 50, waitPollMs: 50 } }) as TestQueue;
  const q = queue;
  q.register(anyJob<{ ms: number }>('sleep', async ({ job, progress, log, signal }) => {
    await log('starting');
    for (let i = 1; i <= 4 && !signal.aborted; i++) {
      await sleep(job.payload.ms / 4);
      await progress(i / 4, `quarter ${i}`);
    }
    return { slept: job.payload.ms };
  }));
  const subscribe = q.subscribe.bind(q);
  q.subscribe = (listener, jobId) => {
    const off = subscribe(listener, jobId);
    return () => {
      unsubscribed++;
      off();
    };
  };
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => {
    const { body } = toProblem(err, req.id, req.url);
    return reply.status(body.status).type('application/problem+json').send(body);
  });
  await app.register(fastifySwagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } }, transform: jsonSchemaTransform });
  await app.register(async (api) => jobRoutes(api, { queue: q }), { prefix: '/api/v1' });
  await app.ready();
  return { app, queue: q };
}

afterEach(async () => {
  await app?.close();
  await queue?.close();
  await database?.cleanup();
  app = queue = database = undefined;
});

function sseEvents(body: string): JobEvent[] {
  return body.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => JSON.parse(b.slice(6)) as JobEvent);
}

describe('job routes', () => {
  it('lists, filters and pages jobs; validates the query', async () => {
    const { app, queue } = await setup();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await queue.enqueue('sleep', { ms: 1 })).id);
    const first = await app.inject('/api/v1/jobs?limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    // Newest first by id (ids made within one millisecond order by their random tail).
    const sorted = [...ids].sort().reverse();
    expect(page.items.map((j: { id: string }) => j.id)).toEqual(sorted.slice(0, 2));
    const second = (await app.inject(`/api/v1/jobs?limit=2&cursor=${page.nextCursor}`)).json();
    expect(second).toMatchObject({ items: [{ id: sorted[2], status: 'queued', payload: { ms: 1 }, result: null, error: null }], nextCursor: null });
    expect((await app.inject('/api/v1/jobs?status=running')).json().items).toEqual([]);
    const bad = await app.inject('/api/v1/jobs?status=nope&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  it('reads a job and its logs; unknown ids are JOB_NOT_FOUND', async () => {
    const { app, queue } = await setup();
    await queue.startWorker();
    const job = await queue.wait((await queue.enqueue('sleep', { ms: 8 })).id, { timeoutMs: 5000 });
    const got = (await app.inject(`/api/v1/jobs/${job.id}`)).json();
    expect(got).toMatchObject({ id: job.id, type: 'sleep', status: 'succeeded', result: { slept: 8 }, progress: 1, attempts: 1 });
    expect(Object.keys(got)).toEqual(expect.arrayContaining(['createdAt', 'startedAt', 'finishedAt', 'updatedAt', 'message']));
    expect((await app.inject(`/api/v1/jobs/${job.id}/logs`)).json()).toEqual({ items: [{ at: expect.any(String), level: 'info', message: 'starting' }] });
    expect((await app.inject(`/api/v1/jobs/${job.id}/logs?after=1`)).json()).toEqual({ items: [] });
    const missing = await app.inject('/api/v1/jobs/job_nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'JOB_NOT_FOUND', status: 404 });
    expect((await app.inject('/api/v1/jobs/job_nope/events')).statusCode).toBe(404);
  });

  it('cancels queued jobs and refuses finished ones', async () => {
    const { app, queue } = await setup();
    const job = await queue.enqueue('sleep', { ms: 1 });
    const res = await app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', cancelRequested: true });
    await queue.startWorker();
    const done = await queue.wait((await queue.enqueue('sleep', { ms: 1 })).id, { timeoutMs: 5000 });
    const again = await app.inject({ method: 'POST', url: `/api/v1/jobs/${done.id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('JOB_NOT_CANCELLABLE');
  });

  it("streams a job's progress as SSE and ends the stream when it finishes", async () => {
    const { app, queue } = await setup();
    await queue.startWorker();
    const job = await queue.enqueue('sleep', { ms: 1200 });
    const res = await app.inject(`/api/v1/jobs/${job.id}/events`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = sseEvents(res.body);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.status === 'running' && e.progress > 0 && e.progress < 1)).toBe(true);
    expect(events.at(-1)).toEqual({ jobId: job.id, status: 'succeeded', progress: 1, message: 'quarter 4' });
    // A finished job's stream answers its final state and ends at once.
    expect(sseEvents((await app.inject(`/api/v1/jobs/${job.id}/events`)).body)).toHaveLength(1);
    expect(unsubscribed).toBe(2);
  });

  it('streams every job on /events until the client disconnects, then unsubscribes', async () => {
    const { app, queue } = await setup();
    await queue.startWorker();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const received: JobEvent[] = [];
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/events' });
    const opened = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => received.push(...sseEvents(chunk)));
        resolve();
      });
      req.on('error', reject);
    });
    req.end();
    await opened;
    const job = await queue.enqueue('sleep', { ms: 4 });
    await queue.wait(job.id, { timeoutMs: 5000 });
    for (let i = 0; i < 50 && !received.some((e) => e.status === 'succeeded'); i++) await sleep(20);
    expect(received.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    unsubscribed = 0; // wait() subscribed and unsubscribed too
    req.destroy();
    for (let i = 0; i < 50 && unsubscribed === 0; i++) await sleep(20);
    expect(unsubscribed).toBe(1);
  });

  it('documents the routes in OpenAPI', async () => {
    const { app } = await setup();
    const doc = app.swagger() as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/jobs', '/api/v1/jobs/{id}', '/api/v1/jobs/{id}/logs', '/api/v1/jobs/{id}/cancel', '/api/v1/jobs/{id}/events', '/api/v1/events']));
    expect(JSON.stringify(doc.paths['/api/v1/jobs/{id}']!.get!.responses)).toContain('cancelRequested');
  });
});
