/**
 * What the agent offers on the device itself: annotated images (`--annotate`: boxes drawn by the detection domain's
 * drawDetections, written to a temp name and renamed) and a loopback HTTP endpoint (`--listen PORT`): POST /infer with
 * the image bytes as the body → the result (the same pipeline as the watched folder: queued, fed back when
 * low-confidence); GET /status → the agent's status. It binds 127.0.0.1 only: anything on the device may call it,
 * nothing off it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { drawDetections } from '../domains/detection/index.ts';
import type { EdgeResult } from '../domains/edge/protocol.ts';
import type { Detection, Rgb } from './detector.ts';

export async function annotate(path: string, rgb: Rgb, dets: Detection[], classes: string[]): Promise<void> {
  writeFileSync(`${path}.tmp`, await drawDetections(rgb, dets, classes, 'jpeg'));
  renameSync(`${path}.tmp`, path);
}

const MAX_BODY = 32 * 1024 * 1024;

export async function listen(port: number, h: { infer(name: string, bytes: Buffer): Promise<EdgeResult | undefined>; status(): unknown }): Promise<{ url: string; close(): Promise<void> }> {
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/status') return send(res, 200, h.status());
    if (req.method !== 'POST' || path !== '/infer') return send(res, 404, { code: 'ROUTE_NOT_FOUND', status: 404, detail: 'POST /infer (image bytes) or GET /status' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, 413, { code: 'PAYLOAD_TOO_LARGE', status: 413, detail: `The image is larger than ${MAX_BODY} bytes.` });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const name = String(req.headers['x-image-name'] ?? `http-${Date.now()}.jpg`).replace(/[^\w.-]/g, '_').slice(0, 200);
      h.infer(name, Buffer.concat(chunks)).then(
        (r) => (r ? send(res, r.error ? (r.error.code === 'EDGE_IMAGE_UNREADABLE' ? 400 : 500) : 200, r.error ? { code: r.error.code, status: r.error.code === 'EDGE_IMAGE_UNREADABLE' ? 400 : 500, detail: r.error.message, result: r } : r) : send(res, 503, { code: 'EDGE_MODEL_LOAD_FAILED', status: 503, detail: 'No model yet: the agent has not received a deployment.' })),
        (err: Error) => send(res, 500, { code: 'INTERNAL', status: 500, detail: err.message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
