/** Chooses the artifact store from `config.artifactsUrl`: `file:PATH` or `s3://bucket/prefix`. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import { FsArtifactStore } from './fs.ts';
import type { ArtifactStore } from './types.ts';

type StoreConfig = Pick<Config, 'artifactsUrl' | 's3Endpoint' | 's3Region' | 's3ForcePathStyle'>;

/** `file:///abs`, `file:/abs` and `file:relative` all work; relative paths resolve from the cwd. */
export function fileStorePath(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return resolve(url.slice('file:'.length));
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m || !m[1]) throw new AppError('CONFIG_INVALID', `Invalid artifacts URL "${url}": use s3://bucket or s3://bucket/prefix`);
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/\/+$/, '') };
}

export async function openArtifactStore(config: StoreConfig): Promise<ArtifactStore> {
  const url = config.artifactsUrl;
  if (url.startsWith('file:')) {
    const root = fileStorePath(url);
    mkdirSync(root, { recursive: true });
    return new FsArtifactStore(root);
  }
  if (url.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Url(url);
    // Loaded on demand: the AWS SDK is large and the embedded default never needs it.
    const { S3ArtifactStore } = await import('./s3.ts');
    const store = new S3ArtifactStore({
      bucket,
      prefix,
      region: config.s3Region,
      endpoint: config.s3Endpoint,
      forcePathStyle: config.s3ForcePathStyle,
    });
    // Fail at start-up, with the bucket's name, rather than on the first upload.
    try {
      await store.checkBucket();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  throw new AppError('CONFIG_INVALID', `Unsupported artifacts URL "${url}": use file:PATH or s3://bucket/prefix`);
}
