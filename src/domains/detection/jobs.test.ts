import { describe, expect, it } from 'vitest';
import { trainPayloadSchema } from './jobs.ts';

describe('detection.train payload', () => {
  it('trains only from a detection dataset: a server folder is refused (payloads also come from pipeline definitions over HTTP)', () => {
    expect(trainPayloadSchema.safeParse({ name: 'tags', dataset: 'metal-tags', epochs: 3 }).success).toBe(true);
    const folder = trainPayloadSchema.safeParse({ name: 'tags', folder: '/etc' });
    expect(folder.success).toBe(false);
    const paths = folder.error!.issues.map((i) => (i.path.length ? i.path.join('.') : (i as { keys?: string[] }).keys?.join(',')));
    expect(paths).toEqual(expect.arrayContaining(['dataset', 'folder']));
    expect(trainPayloadSchema.safeParse({ name: 'tags', dataset: 'metal-tags', folder: '/etc' }).success).toBe(false);
    expect(trainPayloadSchema.safeParse({ dataset: 'metal-tags' }).success).toBe(false); // neither modelId nor name
  });
});
