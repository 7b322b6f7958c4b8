import { describe, expect, it } from 'vitest';
import { clientTokensPerSecond, formatParams, openAiParameters, SseParser, tgiParameters } from './sse.ts';

describe('SSE parser', () => {
  it('joins events split across chunks and keeps event names', () => {
    const p = new SseParser();
    expect(p.push('data: {"a":1}\n\nda')).toEqual([{ data: '{"a":1}' }]);
    expect(p.push('ta: {"b":2}\r\n\r\nevent: error\ndata: {"c"')).toEqual([{ data: '{"b":2}' }]);
    expect(p.push(':3}\n\ndata: [DONE]\n\n')).toEqual([{ event: 'error', data: '{"c":3}' }, { data: '[DONE]' }]);
  });
});

describe('playground helpers', () => {
  const form = { maxNewTokens: 64, temperature: 0, topP: '' as const, topK: '' as const, seed: '' as const, stop: '' };

  it('builds TGI parameters, greedy at temperature 0', () => {
    expect(tgiParameters(form)).toEqual({ max_new_tokens: 64, temperature: 0 });
    expect(tgiParameters({ ...form, temperature: 0.7, topP: 0.9, topK: 40, seed: 3, stop: '\\n\nEnd' })).toEqual({ max_new_tokens: 64, temperature: 0.7, do_sample: true, top_p: 0.9, top_k: 40, seed: 3, stop: ['\n', 'End'] });
  });

  it('builds OpenAI fields', () => {
    expect(openAiParameters({ ...form, seed: 1 })).toEqual({ max_tokens: 64, temperature: 0, seed: 1 });
  });

  it('formats parameter counts and client-side tokens/s', () => {
    expect(formatParams(292_800)).toBe('292.8K');
    expect(formatParams(6_738_415_616)).toBe('6.7B');
    expect(clientTokensPerSecond(11, 1000, 2000)).toBe(10);
    expect(clientTokensPerSecond(1, 1000, 2000)).toBeNull();
  });
});
