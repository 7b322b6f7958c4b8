/**
 * HTTP-level failures outside a route's own logic, with messages that say what really went wrong:
 * JSON bodies refused for prototype poisoning (not "invalid JSON"), requests whose headers exceed
 * Node's header-size limit (a problem+json 431, not a bare status line), and response headers Node
 * cannot send (a clean 500 instead of a stale Content-Length that desynchronises keep-alive).
 */
import { maxHeaderSize as defaultMaxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import { toProblem } from './problem.ts';

/**
 * Where `text` (valid JSON) has a key named `__proto__` or a `constructor` object with a `prototype`
 * key — what fastify's secure parser refuses — as a dotted path from `body`; undefined when none.
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function forbiddenJsonKey(text: string): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: 'body' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      const childPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      if (key === '__proto__') return childPath;
      if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return `${childPath}.prototype`;
      stack.push({ value: child, path: childPath });
    }
  }
  return undefined;
}

/**
 * fastify's `clientErrorHandler` (bound to the instance): requests the HTTP parser rejects before any
 * route runs. Oversized headers get a 431 problem+json naming the limit; other parse errors a 400.
 */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: once a response on this connection has started, nothing more can be written to it.
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy(err);
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    if (socket.writable) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  let appError: AppError;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const limit = (this.server as Server & { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize;
    appError = new AppError('HEADERS_TOO_LARGE', `The request headers are larger than this server's limit of ${limit} bytes (Node's maxHeaderSize), all headers together. Send a shorter Authorization token or fewer/smaller cookies, or raise the limit with NODE_OPTIONS=--max-http-header-size=<bytes>.`, {
      problems: [{ field: 'headers', problem: `over ${limit} bytes`, fix: 'Shorten the headers (e.g. the bearer token or cookies) or raise --max-http-header-size.' }],
    });
  } else {
    appError = new AppError('BAD_REQUEST', `The request is not valid HTTP/1.1 (${err.code ?? err.message}).`);
  }
  const { body } = toProblem(appError, 'none');
  delete body.requestId;
  const json = JSON.stringify(body);
  this.log.debug({ code: err.code }, 'client error');
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  // end() flushes the answer; close the socket shortly after even if the client keeps sending.
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** What Node's writeHead refuses in a header value (it then half-writes the headers it had set). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Drops response headers Node would refuse (a non-Latin-1 file name, a control character) before they
 * reach writeHead and fails the reply cleanly: otherwise fastify's fallback answers with the route's
 * Content-Length and a different body, or a stream hangs. Install on the root before routes register.
 */
export function installResponseHeaderGuard(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const bad = Object.entries(reply.getHeaders())
      .filter(([, value]) => [value].flat().some((v) => typeof v === 'string' && INVALID_HEADER_VALUE.test(v)))
      .map(([name]) => name);
    if (bad.length === 0) return payload;
    for (const name of bad) reply.removeHeader(name);
    (payload as Readable | null)?.destroy?.();
    throw new Error(`Response header(s) ${bad.join(', ')} of ${request.method} ${request.routeOptions.url ?? request.url} hold characters HTTP cannot carry; encode them (see src/core/http/contentDisposition.ts).`);
  });
}
