/**
 * How the CLI talks to Sagebrush. Every command is written once against the HTTP API; the transport
 * is either a running server (`--url`, bearer token) or, for one-shot use, the real app assembled
 * in-process on the embedded store and called through fastify's `inject` (no port is opened).
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppContext, ServiceSet } from '../app/context.ts';
import type { JobEvent } from '../jobs/types.ts';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = unknown>(): T;
}

export interface UploadField {
  name: string;
  value: string;
}

export interface Transport {
  readonly mode: 'remote' | 'embedded';
  request(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** multipart/form-data upload of one file plus text fields, streamed from disk. */
  upload(path: string, filePath: string, fields: UploadField[], onProgress?: (sent: number, total: number) => void): Promise<ApiResponse>;
  /** A JSON request whose response body is read as it arrives (server-sent events). */
  stream(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<StreamResponse>;
  /**
   * Embedded only: resolves when job `id` has ended, told by the in-process queue (its events) rather than found by
   * polling, and passes each of the job's events on (a progress bar). Over HTTP, progress.ts polls instead.
   */
  waitForJob?(id: string, onEvent: (event: JobEvent) => void): Promise<void>;
  close(): Promise<void>;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  /** The whole body, for error responses. */
  read(): Promise<ApiResponse>;
}

function streamResponse(status: number, headers: StreamResponse['headers'], body: AsyncIterable<Uint8Array>): StreamResponse {
  return {
    status,
    headers,
    body,
    async read() {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(Buffer.from(c));
      return response(status, headers, Buffer.concat(chunks));
    },
  };
}

function response(status: number, headers: ApiResponse['headers'], body: Buffer): ApiResponse {
  return { status, headers, body, json: <T>() => (body.length ? JSON.parse(body.toString('utf8')) : null) as T };
}

/** Builds a streaming multipart body (no buffering of the whole file). */
function multipartBody(filePath: string, fields: UploadField[], onProgress?: (sent: number, total: number) => void) {
  const boundary = `----sagebrush${Math.random().toString(16).slice(2)}`;
  const size = statSync(filePath).size;
  const head = fields.map((f) => `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"\r\n\r\n${f.value}\r\n`).join('');
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(filePath).replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const total = Buffer.byteLength(head) + Buffer.byteLength(fileHead) + size + Buffer.byteLength(tail);
  async function* generate() {
    yield Buffer.from(head + fileHead);
    let sent = 0;
    for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
      sent += (chunk as Buffer).length;
      onProgress?.(sent, size);
      yield chunk as Buffer;
    }
    yield Buffer.from(tail);
  }
  return { stream: Readable.from(generate()), contentType: `multipart/form-data; boundary=${boundary}`, length: total };
}

export function remoteTransport(baseUrl: string, token?: string): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  async function send(method: string, path: string, init: { body?: BodyInit | Readable; headers?: Record<string, string> }) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...init.headers },
      body: init.body as BodyInit | undefined,
      ...(init.body instanceof Readable ? { duplex: 'half' } : {}),
    } as RequestInit);
    const headers: ApiResponse['headers'] = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return response(res.status, headers, Buffer.from(await res.arrayBuffer()));
  }
  return {
    mode: 'remote',
    request: (method, path, body) =>
      send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    upload: (path, filePath, fields, onProgress) => {
      const mp = multipartBody(filePath, fields, onProgress);
      return send('POST', path, { body: mp.stream, headers: { 'content-type': mp.contentType, 'content-length': String(mp.length) } });
    },
    async stream(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, { method, headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const h: StreamResponse['headers'] = {};
      res.headers.forEach((v, k) => (h[k] = v));
      const reader = res.body;
      return streamResponse(res.status, h, reader ? (reader as unknown as AsyncIterable<Uint8Array>) : (async function* () {})());
    },
    close: async () => {},
  };
}

export function embeddedTransport(app: FastifyInstance, ctx: Pick<AppContext<ServiceSet>, 'queue' | 'close'>): Transport {
  async function inject(method: string, url: string, payload: unknown, headers: Record<string, string>) {
    const res = await app.inject({ method: method as 'GET', url, payload: payload as string, headers });
    return response(res.statusCode, res.headers as ApiResponse['headers'], res.rawPayload);
  }
  return {
    mode: 'embedded',
    request: (method, path, body) =>
      body === undefined ? inject(method, path, undefined, {}) : inject(method, path, JSON.stringify(body), { 'content-type': 'application/json' }),
    upload: (path, filePath, fields, onProgress) => {
      const mp = multipartBody(filePath, fields, onProgress);
      return inject('POST', path, mp.stream, { 'content-type': mp.contentType, 'content-length': String(mp.length) });
    },
    async stream(method, url, body, headers = {}) {
      const res = await app.inject({ method: method as 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, payloadAsStream: true });
      return streamResponse(res.statusCode, res.headers as StreamResponse['headers'], res.stream());
    },
    async waitForJob(id, onEvent) {
      const unsubscribe = ctx.queue.subscribe(onEvent, id);
      try {
        await ctx.queue.wait(id);
      } finally {
        unsubscribe();
      }
    },
    close: async () => {
      await app.close();
      await ctx.close();
    },
  };
}
