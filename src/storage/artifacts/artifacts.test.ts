import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { missingMessage, skipBackend, type TestBackend } from '../testing.ts';
import { FsArtifactStore } from './fs.ts';
import { openArtifactStore, parseS3Url } from './open.ts';
import { S3ArtifactStore } from './s3.ts';
import type { ArtifactStore } from './types.ts';

const s3Endpoint = process.env.SAGEBRUSH_TEST_S3_ENDPOINT || undefined;
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Opened { store: ArtifactStore; cleanup(): Promise<void> }

const backends: TestBackend<Opened>[] = [
  {
    name: 'fs',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'sb-art-'));
      const store = new FsArtifactStore(dir);
      return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    missing: s3Endpoint ? undefined : missingMessage('SAGEBRUSH_TEST_S3_ENDPOINT', 'S3'),
    async open() {
      if (!s3Endpoint) throw new Error(missingMessage('SAGEBRUSH_TEST_S3_ENDPOINT', 'S3'));
      const bucket = `sb-test-${randomBytes(6).toString('hex')}`;
      const cacheDir = mkdtempSync(join(tmpdir(), 'sb-s3cache-'));
      const store = new S3ArtifactStore({ bucket, prefix: 'pre/fix', region: 'us-east-1', endpoint: s3Endpoint, forcePathStyle: true, credentials: creds, cacheDir });
      await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(cacheDir, { recursive: true, force: true });
        },
      };
    },
  },
];

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

function failingStream(afterBytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= afterBytes) return this.destroy(new Error('upload interrupted'));
      sent += 1024;
      this.push(Buffer.alloc(1024, 7));
    },
  });
}

for (const backend of backends) {
  describe.skipIf(skipBackend(backend))(`artifact store on ${backend.name}`, () => {
    let opened: Opened | undefined;
    const open = async () => (opened = await backend.open()).store;
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    it('puts and gets buffers, strings and streams', async () => {
      const store = await open();
      const info = await store.put('a/b/one.txt', 'hello');
      expect(info).toMatchObject({ key: 'a/b/one.txt', size: 5 });
      expect((await store.get('a/b/one.txt')).toString()).toBe('hello');
      const big = randomBytes(3 * 1024 * 1024 + 17);
      const chunks = [big.subarray(0, 1_000_000), big.subarray(1_000_000)];
      expect((await store.put('a/big.bin', Readable.from(chunks))).size).toBe(big.length);
      expect((await readAll(await store.getStream('a/big.bin'))).equals(big)).toBe(true);
      await store.put('a/b/one.txt', Buffer.from('changed!'));
      expect((await store.stat('a/b/one.txt'))?.size).toBe(8);
      expect(await store.exists('a/b/one.txt')).toBe(true);
      expect(await store.exists('a/b/two.txt')).toBe(false);
      expect(Date.parse((await store.stat('a/big.bin'))!.modifiedAt)).toBeGreaterThan(0);
    });

    it('leaves nothing (and keeps the old object) when a stream fails mid-upload', async () => {
      const store = await open();
      await store.put('x/data.csv', 'old');
      await expect(store.put('x/data.csv', failingStream(64 * 1024))).rejects.toThrow('upload interrupted');
      await expect(store.put('x/new.csv', failingStream(8 * 1024))).rejects.toThrow('upload interrupted');
      expect((await store.get('x/data.csv')).toString()).toBe('old');
      expect(await store.exists('x/new.csv')).toBe(false);
      expect((await store.list('x/')).map((i) => i.key)).toEqual(['x/data.csv']);
    });

    it('reports missing keys as ARTIFACT_NOT_FOUND naming the key', async () => {
      const store = await open();
      for (const call of [() => store.get('no/such'), () => store.getStream('no/such'), () => store.localPath('no/such')]) {
        await expect(call()).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND', message: expect.stringContaining('no/such') });
      }
      expect(await store.stat('no/such')).toBeUndefined();
      await expect(store.delete('no/such')).resolves.toBeUndefined();
    });

    it('rejects absolute, parent and empty-segment keys', async () => {
      const store = await open();
      for (const key of ['/etc/passwd', '../x', 'a/../../x', 'a//b', '', 'a/./b', 'a\\b', 'a/']) {
        await expect(store.put(key, 'x'), key).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      }
      await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(store.list('../')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(store.deletePrefix('')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('lists and deletes by prefix', async () => {
      const store = await open();
      for (const k of ['d/ds_1/v1/a.csv', 'd/ds_1/v2/a.csv', 'd/ds_12/v1/a.csv', 'm/model.onnx']) await store.put(k, k);
      expect((await store.list('d/ds_1/')).map((i) => i.key)).toEqual(['d/ds_1/v1/a.csv', 'd/ds_1/v2/a.csv']);
      expect((await store.list('d/ds_1')).map((i) => i.key)).toEqual(['d/ds_1/v1/a.csv', 'd/ds_1/v2/a.csv', 'd/ds_12/v1/a.csv']);
      expect(await store.list('')).toHaveLength(4);
      expect(await store.list('nothing/')).toEqual([]);
      expect((await store.list('m/'))[0]).toMatchObject({ key: 'm/model.onnx', size: 12 });
      expect(await store.deletePrefix('d/ds_1/')).toBe(2);
      expect((await store.list('')).map((i) => i.key)).toEqual(['d/ds_12/v1/a.csv', 'm/model.onnx']);
      await store.delete('m/model.onnx');
      expect(await store.exists('m/model.onnx')).toBe(false);
    });

    it('gives a readable local path that follows overwrites', async () => {
      const store = await open();
      await store.put('models/m.bin', 'v1');
      const p1 = await store.localPath('models/m.bin');
      expect(readFileSync(p1, 'utf8')).toBe('v1');
      expect(await store.localPath('models/m.bin')).toBe(p1);
      await store.put('models/m.bin', 'v2 longer');
      expect(readFileSync(await store.localPath('models/m.bin'), 'utf8')).toBe('v2 longer');
    });

    // moto's server is not safe for concurrent PUTs to one key (500 "I/O operation on closed file");
    // a real S3 PUT is atomic, so this checks the folder store's temp-file + rename.
    if (backend.name === 'fs') it('concurrent writers to one key leave one whole object', async () => {
      const store = await open();
      const bodies = ['a', 'b', 'c', 'd'].map((c) => c.repeat(200_000));
      await Promise.all(bodies.map((b) => store.put('race/k', Readable.from([b.slice(0, 100_000), b.slice(100_000)]))));
      expect(bodies).toContain((await store.get('race/k')).toString());
    });
  });
}

describe('openArtifactStore', () => {
  it('opens a folder from file: URLs and leaves no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-open-'));
    try {
      const store = await openArtifactStore({ artifactsUrl: `file:${dir}/arts`, s3Region: 'us-east-1', s3ForcePathStyle: true });
      expect(store.kind).toBe('file');
      await store.put('k/v.txt', 'x');
      expect(readdirSync(join(dir, 'arts', 'k'))).toEqual(['v.txt']);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown schemes and bad s3 URLs', async () => {
    await expect(openArtifactStore({ artifactsUrl: 'ftp://x', s3Region: 'us-east-1', s3ForcePathStyle: true })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => parseS3Url('s3://')).toThrow(/Invalid artifacts URL/);
    expect(parseS3Url('s3://bkt/a/b/')).toEqual({ bucket: 'bkt', prefix: 'a/b' });
  });

  it.skipIf(!s3Endpoint)('fails at start-up when the S3 bucket does not exist', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    await expect(
      openArtifactStore({ artifactsUrl: 's3://sb-missing-bucket/p', s3Endpoint, s3Region: 'us-east-1', s3ForcePathStyle: true }),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining('sb-missing-bucket') });
  });
});
