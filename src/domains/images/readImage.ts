/** The image of a predict request (model route and endpoint route alike): multipart part `file`, or JSON `{ image: base64 }`. */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import { readMultipart, uploadToBuffer } from '../../core/http/multipart.ts';
import { predictJsonBody } from './schema.ts';

const FIX_IMAGE = 'Send the image as multipart/form-data in a part named "file", or as JSON {"image": "<base64>"}.';

export async function readImage(req: FastifyRequest, maxUploadBytes: number): Promise<Buffer> {
  if (req.isMultipart()) {
    const { file } = await readMultipart(req, { maxBytes: maxUploadBytes, defaultFileName: 'image', noun: 'image', fix: FIX_IMAGE, missingFileFix: FIX_IMAGE });
    return uploadToBuffer(file);
  }
  const parsed = predictJsonBody.safeParse(req.body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The request has no image.', { problems: [{ field: 'image', problem: 'missing or not a string', fix: FIX_IMAGE }] });
  const b64 = parsed.data.image.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw new AppError('VALIDATION_FAILED', 'The "image" field is not valid base64.', { problems: [{ field: 'image', problem: 'not base64', fix: FIX_IMAGE }] });
  return Buffer.from(b64, 'base64');
}
