/**
 * The one multipart/form-data reader of every upload route. The rules (the route's spec only names them):
 * - text fields first, then ONE file part named `file` (spec.fileField), nothing after it (as with S3 POST
 *   uploads): a field after the file would be silently ignored, so the file stream fails instead;
 * - 400 VALIDATION_FAILED naming the field for: a field not in spec.fields (when given), a field sent twice, a
 *   value cut at the field size limit, a file part under another name, a second file part, a field after the
 *   file, no file part (field "file"; unless spec.fileOptional), too many fields;
 * - 413 PAYLOAD_TOO_LARGE (field "file") when the file is over spec.maxBytes: the file stream fails, so whoever
 *   stores it (the artifact store writes a temp name and renames) keeps nothing;
 * - 415 UNSUPPORTED_MEDIA_TYPE when the body is not multipart; 400 BAD_REQUEST when it is malformed.
 * The file is handed over as a stream, never buffered here; a route that refuses the request before reading it
 * calls `discard()` (or uses `consumeUpload`) so the rest of the body drains and the error reply can go out.
 */
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { AppError } from '../errors.ts';

export interface MultipartSpec {
  /** The file size limit in bytes (the multipart plugin's fileSize limit, config maxUploadBytes). */
  maxBytes: number;
  /** The text fields allowed; omitted: any (the route validates them). */
  fields?: readonly string[];
  /** The name of the file part (default "file"). */
  fileField?: string;
  /** The file name when the part has none. */
  defaultFileName: string;
  /** What the file is, in the size-limit message (default "file"). */
  noun?: string;
  /** How to send the form, for problems about its shape (default: built from the fields). */
  fix?: string;
  /** The fix when there is no file part. */
  missingFileFix?: string;
  /** A form without a file part is returned with `file: undefined` instead of failing. */
  fileOptional?: boolean;
}

/** What a routes plugin that takes uploads needs from the app: the one upload limit (config maxUploadBytes). */
export interface UploadRouteDeps {
  maxUploadBytes: number;
}

/** A form spec bound to the app's upload limit, so each plugin states only its own fields and wording. */
export function uploadForm<S extends Omit<MultipartSpec, 'maxBytes'>>(deps: UploadRouteDeps, spec: S): S & { maxBytes: number } {
  return { ...spec, maxBytes: deps.maxUploadBytes };
}

export interface UploadedFile {
  fileName: string;
  mimeType: string;
  /** The file's bytes; fails with PAYLOAD_TOO_LARGE / VALIDATION_FAILED / BAD_REQUEST as above. */
  stream: Readable;
  /** Drains the file without keeping it (the request is refused before the file was read). */
  discard(): void;
}

export interface MultipartForm<File extends UploadedFile | undefined = UploadedFile> {
  fields: Record<string, string>;
  file: File;
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number(v.toFixed(1))} ${units[i]}`;
}

/** 413 for a file over `limit` bytes. */
export function uploadTooLarge(limit: number, noun = 'file'): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The ${noun} is larger than the upload limit of ${formatBytes(limit)}. Nothing was stored.`, {
    problems: [{ field: 'file', problem: `larger than ${formatBytes(limit)}${limit >= 1024 ? ` (${limit} bytes)` : ''}`, fix: 'Upload a smaller file (split it), or raise SAGEBRUSH_MAX_UPLOAD_BYTES.' }],
    extra: { limitBytes: limit },
  });
}

function formFix(spec: MultipartSpec): string {
  if (spec.fix) return spec.fix;
  const fields = spec.fields?.length ? `the fields (${spec.fields.join(', ')})` : 'the fields';
  return `Send multipart/form-data with ${fields} first and the file last, in a part named "${spec.fileField ?? 'file'}".`;
}

function invalid(spec: MultipartSpec, field: string, problem: string, fix = formFix(spec)): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid upload form: ${field}: ${problem}.`, { problems: [{ field, problem, fix }] });
}

export function readMultipart(request: FastifyRequest, spec: MultipartSpec & { fileOptional: true }): Promise<MultipartForm<UploadedFile | undefined>>;
export function readMultipart(request: FastifyRequest, spec: MultipartSpec): Promise<MultipartForm>;
export async function readMultipart(request: FastifyRequest, spec: MultipartSpec): Promise<MultipartForm<UploadedFile | undefined>> {
  const fileField = spec.fileField ?? 'file';
  if (!request.isMultipart()) {
    const type = request.headers['content-type'] ?? '(none)';
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Uploads must be multipart/form-data, not ${type}.`, {
      problems: [{ field: 'content-type', problem: `${type} is not multipart/form-data`, fix: formFix(spec) }],
    });
  }
  let parts: AsyncIterator<Multipart>;
  try {
    parts = request.parts()[Symbol.asyncIterator]();
  } catch (err) {
    throw mapMultipartError(err, spec);
  }
  const fields: Record<string, string> = {};
  for (;;) {
    const next = await parts.next().catch((err: unknown) => {
      throw mapMultipartError(err, spec);
    });
    if (next.done) {
      if (spec.fileOptional) return { fields, file: undefined };
      throw invalid(spec, fileField, 'the form has no file part', spec.missingFileFix ?? `Add the file in a part named "${fileField}" (curl: -F ${fileField}=@${spec.defaultFileName}).`);
    }
    const part: Multipart = next.value;
    if (part.type === 'field') {
      if (spec.fields && !spec.fields.includes(part.fieldname)) {
        throw invalid(spec, part.fieldname, 'unknown form field', `Use only these fields: ${fileField}, ${spec.fields.join(', ')}.`);
      }
      if (Object.hasOwn(fields, part.fieldname)) throw invalid(spec, part.fieldname, 'given more than once', 'Send each field once.');
      if (part.valueTruncated) throw invalid(spec, part.fieldname, 'value too long');
      fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== fileField) {
      part.file.resume();
      throw invalid(spec, part.fieldname, 'unexpected file part', `Name the file part "${fileField}".`);
    }
    const stream = guard(part, parts, spec);
    return {
      fields,
      file: {
        fileName: part.filename || spec.defaultFileName,
        mimeType: part.mimetype,
        stream,
        discard() {
          stream.on('error', () => {});
          stream.resume();
        },
      },
    };
  }
}

/** Runs `use` on the file; when it fails, drains what it did not read (so the error reply can go out) and rethrows. */
export async function consumeUpload<T>(file: UploadedFile, use: (file: UploadedFile) => Promise<T>): Promise<T> {
  try {
    return await use(file);
  } catch (err) {
    file.discard();
    throw err;
  }
}

/** The whole file in memory, for small uploads (an image to classify); fails like the stream. */
export async function uploadToBuffer(file: UploadedFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Passes the file through; fails on truncation (size limit) or on any part after the file. */
function guard(part: MultipartFile, parts: AsyncIterator<Multipart>, spec: MultipartSpec): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      cb(null, chunk);
    },
    // The part's own errors (a body cut short, the client gone) reach the consumer as documented errors.
    destroy(err, cb) {
      cb(err ? mapMultipartError(err, spec) : null);
    },
    flush(cb: TransformCallback) {
      if (part.file.truncated) return cb(uploadTooLarge(spec.maxBytes, spec.noun));
      parts.next().then(
        (r) => {
          if (r.done) return cb();
          const p = r.value;
          if (p.type === 'file') p.file.resume();
          cb(p.type === 'field' ? invalid(spec, p.fieldname, 'sent after the file part; it would be ignored') : invalid(spec, p.fieldname, 'a second file part; upload one file per request'));
        },
        (err: unknown) => cb(mapMultipartError(err, spec)),
      );
    },
  });
  part.file.once('limit', () => out.destroy(uploadTooLarge(spec.maxBytes, spec.noun)));
  pipeline(part.file, out, () => {});
  return out;
}

function mapMultipartError(err: unknown, spec: MultipartSpec): Error {
  const code = (err as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return uploadTooLarge(spec.maxBytes, spec.noun);
  if (code === 'FST_FILES_LIMIT') return invalid(spec, spec.fileField ?? 'file', 'more than one file part', 'Upload one file per request.');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') return invalid(spec, 'form', 'too many form fields');
  if (err instanceof AppError) return err;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'FST_MP_PREMATURE_CLOSE' || /aborted|premature/i.test((err as Error)?.message ?? '')) {
    return new AppError('BAD_REQUEST', 'The upload was interrupted before the whole file arrived; nothing was stored. Upload it again.', { cause: err });
  }
  const message = (err as Error)?.message ?? String(err);
  return new AppError('BAD_REQUEST', `The multipart/form-data body is malformed: ${message}.`, {
    problems: [{ field: 'body', problem: message, fix: formFix(spec) }],
    cause: err,
  });
}
