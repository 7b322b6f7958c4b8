/**
 * Reads the upload form without buffering the file: text fields first, then the `file` part as a
 * stream. The stream fails with PAYLOAD_TOO_LARGE when the multipart size limit truncates the file,
 * and (like S3 POST uploads) with VALIDATION_FAILED when a field arrives after the file, so the
 * service discards the upload instead of importing it with the wrong settings.
 */
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import { AppError } from '../../core/errors.ts';
import { UPLOAD_FIELDS } from './schema.ts';
import { tooLarge } from './upload.ts';

export interface UploadForm {
  fields: Record<string, string>;
  fileName: string;
  stream: Readable;
}

const FIX_FORM = 'Send multipart/form-data with the fields (name, description, format, header) first and the file last, in a part named "file".';

function invalid(field: string, problem: string, fix = FIX_FORM): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid upload form: ${field}: ${problem}.`, { problems: [{ field, problem, fix }] });
}

export async function readUploadForm(request: FastifyRequest, maxUploadBytes: number): Promise<UploadForm> {
  if (!request.isMultipart()) {
    const type = request.headers['content-type'] ?? '(none)';
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Uploads must be multipart/form-data, not ${type}.`, {
      problems: [{ field: 'content-type', problem: `${type} is not multipart/form-data`, fix: FIX_FORM }],
    });
  }
  let parts: AsyncIterator<Multipart>;
  try {
    parts = request.parts()[Symbol.asyncIterator]();
  } catch (err) {
    throw mapMultipartError(err, maxUploadBytes);
  }
  const fields: Record<string, string> = {};
  for (;;) {
    const next = await parts.next().catch((err: unknown) => {
      throw mapMultipartError(err, maxUploadBytes);
    });
    if (next.done) throw invalid('file', 'the form has no file part', 'Add the file in a part named "file" (curl: -F file=@data.csv).');
    const part: Multipart = next.value;
    if (part.type === 'field') {
      if (!(UPLOAD_FIELDS as readonly string[]).includes(part.fieldname)) {
        throw invalid(part.fieldname, 'unknown form field', `Use only these fields: file, ${UPLOAD_FIELDS.join(', ')}.`);
      }
      if (part.fieldname in fields) throw invalid(part.fieldname, 'given more than once', 'Send each field once.');
      if (part.valueTruncated) throw invalid(part.fieldname, 'value too long');
      fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw invalid(part.fieldname, 'unexpected file part', 'Name the file part "file".');
    }
    return { fields, fileName: part.filename || 'upload', stream: guard(part, parts, maxUploadBytes) };
  }
}

/** Passes the file through; fails on truncation (size limit) or on any part after the file. */
function guard(part: MultipartFile, parts: AsyncIterator<Multipart>, limit: number): Readable {
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (part.file.truncated) return cb(tooLarge(limit));
      parts.next().then(
        (r) => {
          if (r.done) return cb();
          const p = r.value;
          if (p.type === 'file') p.file.resume();
          cb(p.type === 'field' ? invalid(p.fieldname, 'sent after the file part; it would be ignored') : invalid(p.fieldname, 'a second file part; upload one file per request'));
        },
        (err: unknown) => cb(mapMultipartError(err, limit)),
      );
    },
  });
  part.file.once('limit', () => out.destroy(tooLarge(limit)));
  pipeline(part.file, out, () => {});
  return out;
}

function mapMultipartError(err: unknown, limit: number): Error {
  const code = (err as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(limit);
  if (code === 'FST_FILES_LIMIT') return invalid('file', 'more than one file part', 'Upload one file per request.');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') return invalid('form', 'too many form fields');
  if (err instanceof AppError) return err;
  const message = (err as Error)?.message ?? String(err);
  return new AppError('BAD_REQUEST', `The multipart/form-data body is malformed: ${message}.`, {
    problems: [{ field: 'body', problem: message, fix: FIX_FORM }],
    cause: err,
  });
}
