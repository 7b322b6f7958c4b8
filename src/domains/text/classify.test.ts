/**
 * POST /endpoints/:name/classify, the text-classifier kind's invocation route (classify.ts), through the real app:
 * Comprehend's real-time limits (25 documents per call, 10 KB per document counted in UTF-8 bytes) and the answer
 * shapes (`Text` → one result; `TextList` → ResultList + ErrorList with the failing documents' indexes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../datasets/testing/harness.ts';
import { appWithTextEndpoint } from '../endpoints/testing.ts';
import { CLASSIFY_MAX_BATCH, CLASSIFY_MAX_TEXT_BYTES } from './classify.ts';

let t: TestApp;

beforeAll(async () => {
  t = await appWithTextEndpoint('tickets-ep');
}, 90_000);
afterAll(async () => t?.close());

const classify = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/classify', payload });
/** 5,121 × "é": 5,121 characters but 10,242 UTF-8 bytes, just over the limit. */
const OVER_BYTES = 'é'.repeat(CLASSIFY_MAX_TEXT_BYTES / 2 + 1);

describe('POST /endpoints/:name/classify', () => {
  it('takes up to 25 documents and answers each in order, shaped like a single-Text answer plus its Index', async () => {
    expect(CLASSIFY_MAX_BATCH).toBe(25);
    const docs = Array.from({ length: CLASSIFY_MAX_BATCH }, (_, i) => (i % 2 ? 'refund my invoice payment' : 'where is my parcel delivery'));
    const res = await classify({ TextList: docs });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ ResultList: Array<{ Index: number }>; ErrorList: unknown[] }>();
    expect(body.ResultList.map((r) => r.Index)).toEqual(docs.map((_, i) => i));
    expect(body.ErrorList).toEqual([]);
    const one = (await classify({ Text: docs[1]! })).json();
    expect(body.ResultList[1]).toEqual({ Index: 1, ...one });
  });

  it('refuses 26 documents, an empty list, and Text with TextList, as 400 VALIDATION_FAILED', async () => {
    const many = await classify({ TextList: Array(CLASSIFY_MAX_BATCH + 1).fill('x') });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'TextList has 26 documents; send 1 to 25.', problems: [{ field: 'TextList', problem: '26 documents' }] });
    expect(many.json().problems[0].fix).toMatch(/batch job/);
    expect((await classify({ TextList: [] })).json()).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'TextList has 0 documents; send 1 to 25.' });
    const both = await classify({ Text: 'a', TextList: ['b'] });
    expect(both.statusCode).toBe(400);
    expect(both.json().code).toBe('VALIDATION_FAILED');
  });

  it('counts the 10 KB limit in UTF-8 bytes: 10,240 ASCII bytes pass, 5,121 "é" (10,242 bytes) do not', async () => {
    expect(CLASSIFY_MAX_TEXT_BYTES).toBe(10 * 1024);
    expect((await classify({ Text: 'x'.repeat(CLASSIFY_MAX_TEXT_BYTES) })).statusCode).toBe(200);
    const over = await classify({ Text: OVER_BYTES });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: 'the text is 10242 bytes, over the 10240-byte real-time limit',
      problems: [{ row: 0, field: 'Text', fix: 'Shorten the text or classify it with a batch job.' }],
    });
    expect((await classify({ Text: '  \n ' })).json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'Text', problem: 'the text is empty' }] });
  });

  it('in a TextList, answers the good documents and lists each bad one in ErrorList as TEXT_INVALID', async () => {
    const res = await classify({ TextList: ['refund my invoice payment', OVER_BYTES, '   ', 'reset my password login'] });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ ResultList: Array<{ Index: number }>; ErrorList: unknown[] }>();
    expect(body.ResultList.map((r) => r.Index)).toEqual([0, 3]);
    expect(body.ErrorList).toEqual([
      { Index: 1, ErrorCode: 'TEXT_INVALID', ErrorMessage: 'the text is 10242 bytes, over the 10240-byte real-time limit. Shorten the text or classify it with a batch job.' },
      { Index: 2, ErrorCode: 'TEXT_INVALID', ErrorMessage: 'the text is empty. Send non-empty text.' },
    ]);
  });

  it('answers with each result written straight from the scores (classifyJson), byte for byte JSON.stringify of the result objects', async () => {
    const docs = ['refund my invoice payment', 'where is my parcel delivery', 'reset my password login'];
    const model = await t.ctx.services.models.resolve((await t.ctx.services.endpoints.get('tickets-ep')).modelId);
    const objects = await t.ctx.services.text.classify(model, docs);
    expect(await t.ctx.services.text.classifyJson(model, docs)).toEqual(objects.map((o) => JSON.stringify(o)));
    const one = await classify({ Text: docs[0]! });
    expect(one.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(one.body).toBe(JSON.stringify(objects[0]));
    const list = await classify({ TextList: [docs[0]!, ' ', docs[1]!, docs[2]!] });
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(list.body).toBe(JSON.stringify({
      ResultList: [{ Index: 0, ...objects[0] }, { Index: 2, ...objects[1] }, { Index: 3, ...objects[2] }],
      ErrorList: [{ Index: 1, ErrorCode: 'TEXT_INVALID', ErrorMessage: 'the text is empty. Send non-empty text.' }],
    }));
  });

  it('creates no AbortController per request (issue 17: its EventTarget was ~6 % of the event loop under load); a client that leaves is still noticed (scoring.routes.test.ts)', async () => {
    const Real = globalThis.AbortController;
    let created = 0;
    globalThis.AbortController = class extends Real {
      constructor() {
        super();
        created++;
      }
    };
    try {
      const res = await classify({ Text: 'refund my invoice payment' });
      expect(res.statusCode, res.body).toBe(200);
    } finally {
      globalThis.AbortController = Real;
    }
    expect(created).toBe(0);
  });
});
