import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPost, parseResponse, RawHttpConnection } from './rawHttp.ts';

describe('rawHttp (the load generators\' client)', () => {
  let server: Server;
  let port = 0;
  const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
        if (req.url === '/chunked') {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.write('{"a":');
          res.end('"é"}');
        } else if (req.url === '/close') {
          res.writeHead(429, { connection: 'close', 'content-length': '2' });
          res.end('no');
        } else {
          const out = Buffer.from(JSON.stringify({ echo: JSON.parse(body) }));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
          res.end(out);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends POSTs over one keep-alive connection and reads Content-Length, chunked and closing answers', async () => {
    const conn = new RawHttpConnection(port);
    const body = Buffer.from(JSON.stringify({ Text: 'héllo' }));
    for (let i = 0; i < 3; i++) {
      const r = await conn.send(buildPost(port, '/x?y=1', body));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.toString('utf8'))).toEqual({ echo: { Text: 'héllo' } });
    }
    const chunked = await conn.send(buildPost(port, '/chunked', body));
    expect([chunked.status, chunked.body.toString('utf8')]).toEqual([201, '{"a":"é"}']);
    const closed = await conn.send(buildPost(port, '/close', body));
    expect([closed.status, closed.body.toString()]).toEqual([429, 'no']);
    // the server closed that connection: the next request opens a new one
    expect((await conn.send(buildPost(port, '/again', body))).status).toBe(200);
    conn.close();
    expect(seen.slice(0, 1)).toEqual([{ method: 'POST', url: '/x?y=1', type: 'application/json', body: '{"Text":"héllo"}' }]);
    expect(seen.map((s) => s.url)).toEqual(['/x?y=1', '/x?y=1', '/x?y=1', '/chunked', '/close', '/again']);
  });

  it('waits for the whole answer and refuses what it cannot read', () => {
    const full = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    for (let cut = 0; cut < full.length; cut++) expect(parseResponse(full.subarray(0, cut))).toBeUndefined();
    expect(parseResponse(full)).toEqual({ status: 200, body: Buffer.from('hello'), close: false });
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n'))).toBeUndefined();
    expect(() => parseResponse(Buffer.from('SSH-2.0-x\r\n\r\n'))).toThrow(/not an HTTP/);
    expect(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody'))).toThrow(/without Content-Length/);
  });

  it('refuses a second request while one is in flight', async () => {
    const conn = new RawHttpConnection(port);
    const req = buildPost(port, '/x', Buffer.from('{}'));
    const first = conn.send(req);
    await expect(conn.send(req)).rejects.toThrow(/one request at a time/);
    expect((await first).status).toBe(200);
    conn.close();
  });
});
