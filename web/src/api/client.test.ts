import { describe, expect, it } from 'vitest';
import { ApiError, buildUrl, parseBody } from './client.ts';
import { parseSseBlock } from './events.ts';

describe('api client helpers', () => {
  it('reads problem+json into ApiError', () => {
    const e = ApiError.fromBody(400, 'Bad Request', {
      code: 'CSV_MALFORMED',
      detail: 'Row 3 has 3 fields',
      requestId: 'r1',
      problems: [{ row: 3, field: 'text', problem: 'extra field', fix: 'quote the text' }],
    });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.detail, e.requestId, e.problems.length]).toEqual([400, 'CSV_MALFORMED', 'Row 3 has 3 fields', 'r1', 1]);
  });

  it('falls back for non-problem bodies', () => {
    expect(ApiError.fromBody(502, 'Bad Gateway', '<html>proxy</html>').code).toBe('HTTP_502');
    expect(ApiError.fromBody(500, 'Internal', undefined).detail).toBe('Internal');
    expect(ApiError.fromBody(404, '', { message: 'nope' }).detail).toBe('nope');
  });

  it('builds URLs under /api/v1 and drops empty query values', () => {
    expect(buildUrl('/jobs', { status: 'running', type: undefined, after: 0 })).toBe('/api/v1/jobs?status=running&after=0');
    expect(buildUrl('/api/v1/datasets')).toBe('/api/v1/datasets');
  });

  it('parses bodies and SSE blocks', () => {
    expect(parseBody('{"a":1}', 'application/problem+json')).toEqual({ a: 1 });
    expect(parseBody('plain', 'text/plain')).toBe('plain');
    expect(parseSseBlock('event: job\ndata: {"jobId":"j1","progress":0.5}')).toEqual({ jobId: 'j1', progress: 0.5 });
    expect(parseSseBlock(': heartbeat')).toBeUndefined();
  });
});
