/**
 * Streaming from the LLM routes in the browser: POST with fetch, read the body as server-sent events.
 * `SseParser` is pure (tested); `postSse` wires it to fetch with the bearer token and problem+json errors.
 */
import { ApiError, authHeaders, parseBody } from '../api/client.ts';

export interface SseEvent {
  event?: string;
  data: string;
}

/** Incremental SSE parser: feed text chunks, get complete events. */
export class SseParser {
  private buf = '';

  push(chunk: string): SseEvent[] {
    this.buf += chunk.replace(/\r\n/g, '\n');
    const out: SseEvent[] = [];
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) out.push(event ? { event, data: data.join('\n') } : { data: data.join('\n') });
    }
    return out;
  }
}

/**
 * POSTs JSON and calls `onData` with each parsed `data:` JSON payload until `[DONE]` or the end. A non-2xx
 * answer (queue full, licence, overflow) rejects with ApiError before any event; an `event: error` rejects too.
 */
export async function postSse(url: string, body: unknown, onData: (data: any) => void, options: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream, application/json, application/problem+json', ...authHeaders(), ...options.headers },
    body: JSON.stringify(body),
    signal: options.signal,
  });
  if (!res.ok || !res.body) {
    const text = await res.text();
    throw ApiError.fromBody(res.status, res.statusText, parseBody(text, res.headers.get('content-type')));
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const e of parser.push(decoder.decode(value, { stream: true }))) {
      if (e.data === '[DONE]') return;
      const data = JSON.parse(e.data);
      if (e.event === 'error') throw ApiError.fromBody(data.status ?? 500, '', data);
      onData(data);
    }
  }
}

/** "292.8K", "6.7B". */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Tokens per second between the first and the last token seen by the client (null under 2 tokens). */
export function clientTokensPerSecond(tokens: number, firstMs: number | null, lastMs: number | null): number | null {
  if (tokens < 2 || firstMs === null || lastMs === null || lastMs <= firstMs) return null;
  return (tokens - 1) / ((lastMs - firstMs) / 1000);
}

/** Parameters form → TGI parameters (empty fields omitted). */
export interface GenForm {
  maxNewTokens: number;
  temperature: number;
  topP: number | '';
  topK: number | '';
  seed: number | '';
  stop: string;
}

export function tgiParameters(f: GenForm): Record<string, unknown> {
  const p: Record<string, unknown> = { max_new_tokens: f.maxNewTokens, temperature: f.temperature };
  if (f.temperature > 0) p.do_sample = true;
  if (f.topP !== '') p.top_p = f.topP;
  if (f.topK !== '') p.top_k = f.topK;
  if (f.seed !== '') p.seed = f.seed;
  const stop = f.stop.split('\n').map((s) => s.replace(/\\n/g, '\n')).filter((s) => s !== '');
  if (stop.length > 0) p.stop = stop;
  return p;
}

/** Parameters form → OpenAI request fields. */
export function openAiParameters(f: GenForm): Record<string, unknown> {
  const t = tgiParameters(f);
  const o: Record<string, unknown> = { max_tokens: t.max_new_tokens, temperature: t.temperature };
  if (t.top_p !== undefined) o.top_p = t.top_p;
  if (t.top_k !== undefined) o.top_k = t.top_k;
  if (t.seed !== undefined) o.seed = t.seed;
  if (t.stop !== undefined) o.stop = t.stop;
  return o;
}
