/**
 * The feedback → labeling inbox hand-off through EdgeInboxPort: stored once even when the inbox refuses it (e.g. the
 * fleet's dataset does not exist yet), handed over again on the device's next heartbeat, and never twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { createEdgeService } from './service.ts';
import type { EdgeInboxItem } from './ingest.ts';
import { grayImage } from './testing/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' }, { worker: false });
}, 120_000);
afterAll(async () => t?.close());

describe('edge feedback → labeling inbox port', () => {
  it('a failed hand-off is retried on the next heartbeat; each image reaches the inbox once', async () => {
    const added: EdgeInboxItem[] = [];
    let failing = true;
    const inbox = { add: async (item: EdgeInboxItem) => { if (failing) throw Object.assign(new Error('no dataset "line"'), { code: 'DETECTION_DATASET_NOT_FOUND' }); added.push(item); return { ref: `inbox/${item.image}` }; } };
    const edge = createEdgeService({ db: t.ctx.db, artifacts: t.ctx.artifacts, models: t.ctx.services.models, inbox: () => inbox });
    await edge.createFleet({ name: 'line' });
    const { token } = await edge.registerDevice('line', 'cam');
    const { fleet, device } = await edge.authenticate(token);
    const upload = { image: 'dark.png', modelId: null, maxScore: 0.1, capturedAt: new Date().toISOString(), data: (await grayImage(10)).toString('base64') };
    expect(await edge.ingestFeedback(fleet, device, 'fb-retry-0001', upload)).toMatchObject({ created: true, inboxRef: null, inboxError: { code: 'DETECTION_DATASET_NOT_FOUND' } });
    failing = false;
    const hb = { sentAt: new Date().toISOString(), modelId: null, modelError: null, inferenceRate: 0, inferences: 0, queueDepth: 0, queueBytes: 0, diskBytes: 0, warnings: [] };
    await edge.heartbeat(fleet, device, hb);
    expect(added.map((a) => [a.id, a.dataset, a.device, a.image])).toEqual([['fb-retry-0001', 'line', 'cam', 'dark.png']]);
    await edge.heartbeat(fleet, device, { ...hb, sentAt: new Date().toISOString() });
    expect(await edge.ingestFeedback(fleet, device, 'fb-retry-0001', upload)).toMatchObject({ created: false, inboxRef: 'inbox/dark.png' });
    expect(added).toHaveLength(1);
    expect((await edge.feedback('line', 10)).map((f) => f.inboxRef)).toEqual(['inbox/dark.png']);
  });
});
