/** Dataset names, image refs of added images, and the opaque cursor of image pages. */
import { AppError } from '../../../core/errors.ts';

export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function validName(name: string): string {
  if (!DATASET_NAME.test(name)) {
    throw new AppError('VALIDATION_FAILED', `"${name.slice(0, 120)}" is not a valid detection dataset name.`, { problems: [{ field: 'name', problem: 'must be 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit', fix: 'Pass another name (--name / the "name" field).' }] });
  }
  return name;
}

export function notFound(message: string): AppError {
  return new AppError('DETECTION_DATASET_NOT_FOUND', message, { problems: [{ problem: message, fix: 'List detection datasets with GET /api/v1/detection/datasets (CLI `sagebrush detection datasets`).' }] });
}

/** `<source>/<file name>` with anything but letters, digits, ".", "_" and "-" replaced (never a path). */
export function imageRef(source: string, fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? '').replace(/[^\w.-]/g, '_').replace(/^\.+/, '') || 'image';
  return `${source}/${base.slice(0, 200)}`;
}

export const encodeRefCursor = (ref: string): string => Buffer.from(ref, 'utf8').toString('base64url');

export function decodeRefCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const ref = Buffer.from(cursor, 'base64url').toString('utf8');
  if (ref.length === 0 || ref.length > 2000 || encodeRefCursor(ref) !== cursor) {
    throw new AppError('BAD_REQUEST', `Invalid cursor "${cursor.slice(0, 60)}".`, { problems: [{ field: 'cursor', problem: 'not a cursor returned by this API', fix: 'Pass nextCursor from the previous page unchanged, or omit it.' }] });
  }
  return ref;
}
