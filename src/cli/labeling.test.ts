/** `sagebrush labeling` as a user runs it: a real process on a temp embedded store (the caller is "anonymous"). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pngBytes, tempFolder } from '../domains/detection/formats/testing.ts';
import { createCliSandbox } from './testing.ts';

const { dir, cli, json, refused, cleanup } = createCliSandbox('labeling');
afterAll(cleanup);

describe('sagebrush labeling', () => {
  it('creates a job over the unlabeled images, shows progress, refuses a verification with nothing saved, exports', async () => {
    const png = await pngBytes(40, 30);
    const folder = tempFolder({ 'images/a.png': png, 'images/b.png': png, 'class_labels.json': JSON.stringify({ labels: [{ label: 'scratch' }] }) });
    const imported = await cli(['detection', 'import', folder, '--name', 'parts']);
    expect(imported.code, imported.stderr).toBe(0);

    const job = await json(['labeling', 'create', 'parts', '--limit', '1', '--name', 'first']);
    expect(job).toMatchObject({ name: 'first', kind: 'label', total: 1, people: ['anonymous'], progress: { done: 0, total: 1 } });
    const shown = await cli(['labeling', 'progress', job.id]);
    expect(shown.stdout).toContain('0 / 1 done');
    expect(shown.stdout).toMatch(/anonymous\s+0\s+1/);
    expect((await json(['labeling', 'jobs'])).map((j: { id: string }) => j.id)).toEqual([job.id]);

    expect(await refused(['labeling', 'verify', job.id])).toMatchObject({ code: 'LABELING_JOB_INVALID', problems: [{ field: 'job' }] });
    expect(await refused(['labeling', 'create', 'nope'])).toMatchObject({ code: 'DETECTION_DATASET_NOT_FOUND' });

    const out = join(dir, 'coco.json');
    expect(await json(['labeling', 'export', job.id, '--format', 'coco', '--out', out])).toMatchObject({ out, format: 'coco' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ images: [], annotations: [], categories: [{ name: 'scratch' }] });
  }, 180_000);
});
