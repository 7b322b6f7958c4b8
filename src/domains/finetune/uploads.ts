/**
 * Files uploaded for fine-tuning (data as JSONL/text, llama2.c checkpoints and tokenizers), kept under
 * `<root>/<id>/` with a file name reduced to safe characters. A request names an upload by its id (`ftu_…`,
 * checked against a strict pattern), never by a path, so no request can point the trainer at another file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { UPLOAD_ID_PATTERN } from './schema.ts';

export interface UploadInfo { id: string; fileName: string; bytes: number; sha256: string; path: string }

export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100) || 'upload.bin';
}

export function createUploads(root: string) {
  return {
    async save(fileName: string, stream: Readable): Promise<UploadInfo> {
      const id = newId('ftu');
      const dir = join(root, id);
      mkdirSync(dir, { recursive: true });
      const name = safeFileName(fileName);
      const tmp = join(dir, `.tmp-${name}`);
      const hash = createHash('sha256');
      let bytes = 0;
      try {
        await pipeline(stream, new Transform({ transform(chunk: Buffer, _e, cb) { hash.update(chunk); bytes += chunk.length; cb(null, chunk); } }), createWriteStream(tmp));
        renameSync(tmp, join(dir, name));
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      return { id, fileName: name, bytes, sha256: hash.digest('hex'), path: join(dir, name) };
    },
    get(id: string, field: string): UploadInfo {
      const dir = join(root, id);
      const name = UPLOAD_ID_PATTERN.test(id) && existsSync(dir) ? readdirSync(dir).find((n) => !n.startsWith('.tmp-')) : undefined;
      if (!name) throw new AppError('FINETUNE_NOT_FOUND', `No upload "${id}".`, { problems: [{ field, problem: 'no such upload', fix: 'Upload the file first: POST /api/v1/finetune/uploads (multipart "file"); the CLI does it for --data.' }] });
      const path = join(dir, name);
      return { id, fileName: name, bytes: statSync(path).size, sha256: '', path };
    },
  };
}
export type Uploads = ReturnType<typeof createUploads>;
