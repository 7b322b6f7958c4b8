/** Test helper: the real app in-process with a tiny text classifier (`tickets:1`, three labels) behind an endpoint. */
import { afterAll, beforeAll, expect } from 'vitest';
import type { TestApp } from '../datasets/testing/harness.ts';
import { appWithCsvs } from '../text/testing/app.ts';
import { multiClassCsv } from '../text/testing/synthetic.ts';

/** Imports dataset `tickets` (60 rows), trains model `tickets` on it and serves version 1 as endpoint `name`. */
export async function appWithTextEndpoint(name = 'tickets-ep'): Promise<TestApp> {
  const t = await appWithCsvs({ tickets: multiClassCsv(60) });
  const train = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: { name: 'tickets', dataset: 'tickets', mode: 'multi-class' } });
  expect(train.statusCode, train.body).toBe(202);
  const job = await t.ctx.queue.wait(train.json<{ job: { id: string } }>().job.id, { timeoutMs: 60_000 });
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  const ep = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name, model: 'tickets:1' } });
  expect(ep.statusCode, ep.body).toBe(201);
  return t;
}

/** For a test file: one appWithTextEndpoint(name) built before its tests and closed after; `.t` is it (once built). */
export function useAppWithTextEndpoint(name = 'tickets-ep'): { readonly t: TestApp } {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await appWithTextEndpoint(name);
  }, 90_000);
  afterAll(async () => app?.close());
  return {
    get t() {
      if (!app) throw new Error('useAppWithTextEndpoint: the app is built in beforeAll; read .t inside a test');
      return app;
    },
  };
}
