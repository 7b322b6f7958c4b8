/**
 * Artifact store on S3 or an S3-compatible service (MinIO, Ceph, moto). A single PutObject is atomic
 * on S3, so readers see the old object or the whole new one. Streams are spooled to a temp file first
 * because PutObject needs the length up front (no multipart: objects are limited to 5 GiB).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../../core/errors.ts';
import { checkKey, checkPrefix, notFound } from './keys.ts';
import type { ArtifactInfo, ArtifactStore } from './types.ts';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or e.g. 'sagebrush/prod'), without leading/trailing '/'. */
  prefix?: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Default: the standard AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where localPath() keeps downloads; default <tmpdir>/sagebrush-s3-cache. */
  cacheDir?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH']);

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly base: string;
  private readonly cacheDir: string;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.base = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.cacheDir = options.cacheDir ?? join(tmpdir(), 'sagebrush-s3-cache');
    // Node 20 is a supported runtime here; the SDK's "Node 22 needed from 2027" notice would print on every CLI run.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Only send/verify checksums where S3 requires them: many S3-compatible servers reject the
      // newer default (aws-chunked uploads with trailing CRC32 checksums).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private full(key: string): string {
    return this.base ? `${this.base}/${key}` : key;
  }

  private fail(err: unknown, what: string): never {
    const e = err as { code?: string; name?: string; message?: string };
    if (NETWORK_CODES.has(e?.code ?? '') || e?.name === 'TimeoutError') {
      throw new AppError('STORAGE_UNAVAILABLE', `S3 ${what} failed: ${e.message ?? e.code}`, { cause: err });
    }
    throw err;
  }

  /** Throws STORAGE_UNAVAILABLE when the bucket is missing or the service unreachable (checked at start-up). */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const why = isMissing(err) ? 'the bucket does not exist' : (err as Error).message || (err as Error).name;
      throw new AppError('STORAGE_UNAVAILABLE', `Cannot use S3 bucket "${this.bucket}": ${why}`, { cause: err });
    }
  }

  async put(key: string, body: Buffer | string | Readable, options: { contentType?: string } = {}): Promise<ArtifactInfo> {
    checkKey(key);
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      await this.send(key, buf, buf.length, options.contentType);
      return { key, size: buf.length, modifiedAt: new Date().toISOString() };
    }
    const tmp = join(tmpdir(), `sagebrush-s3-upload-${randomBytes(8).toString('hex')}`);
    try {
      await pipeline(body, createWriteStream(tmp));
      const { size } = await stat(tmp);
      await this.send(key, createReadStream(tmp), size, options.contentType);
      return { key, size, modifiedAt: new Date().toISOString() };
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  private async send(key: string, body: Buffer | Readable, length: number, contentType?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: body, ContentLength: length, ContentType: contentType }),
      );
    } catch (err) {
      this.fail(err, `upload of "${key}"`);
    }
  }

  private async getObject(key: string) {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(checkKey(key)) }));
      if (!out.Body) throw notFound(key);
      return out;
    } catch (err) {
      if (isMissing(err)) throw notFound(key);
      this.fail(err, `download of "${key}"`);
    }
  }

  async get(key: string): Promise<Buffer> {
    const out = await this.getObject(key);
    const bytes = await out.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async getStream(key: string): Promise<Readable> {
    const out = await this.getObject(key);
    return out.Body as Readable;
  }

  private async head(key: string) {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(checkKey(key)) }));
    } catch (err) {
      if (isMissing(err)) return undefined;
      this.fail(err, `stat of "${key}"`);
    }
  }

  async stat(key: string): Promise<ArtifactInfo | undefined> {
    const h = await this.head(key);
    if (!h) return undefined;
    return { key, size: h.ContentLength ?? 0, modifiedAt: (h.LastModified ?? new Date(0)).toISOString() };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(checkKey(key)) }));
    } catch (err) {
      if (!isMissing(err)) this.fail(err, `delete of "${key}"`);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (checkPrefix(prefix) === '') throw new AppError('BAD_REQUEST', 'Refusing to delete every artifact: give a non-empty prefix');
    const keys = (await this.list(prefix)).map((i) => i.key);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.client
        .send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.full(k) })), Quiet: true } }))
        .catch((err) => this.fail(err, `delete of "${prefix}*"`));
      const failed = out.Errors ?? [];
      if (failed.length > 0) throw new AppError('STORAGE_UNAVAILABLE', `S3 could not delete ${failed.length} objects under "${prefix}": ${failed[0]?.Message ?? ''}`);
    }
    return keys.length;
  }

  async list(prefix: string): Promise<ArtifactInfo[]> {
    checkPrefix(prefix);
    const out: ArtifactInfo[] = [];
    const strip = this.base ? this.base.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.full(prefix), ContinuationToken: token }))
        .catch((err) => this.fail(err, `list of "${prefix}"`));
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({ key: o.Key.slice(strip), size: o.Size ?? 0, modifiedAt: (o.LastModified ?? new Date(0)).toISOString() });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Downloads once per (key, ETag): a changed object gets a new cache file, an unchanged one is reused. */
  async localPath(key: string): Promise<string> {
    const h = await this.head(key);
    if (!h) throw notFound(key);
    const id = createHash('sha256').update(`${this.bucket}\0${this.full(key)}\0${h.ETag ?? ''}`).digest('hex').slice(0, 32);
    const path = join(this.cacheDir, `${id}-${basename(key)}`);
    if (existsSync(path)) return path;
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(await this.getStream(key), createWriteStream(tmp));
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    return path;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
