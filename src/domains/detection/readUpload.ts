/** The image of a detection request: multipart part `file`, or JSON `{ image: base64 }` (model route and endpoint route alike). */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { readMultipart, uploadToBuffer } from '../../core/http/multipart.ts';

const FIX_IMAGE = 'Send the image as multipart/form-data in a part named "file", or as JSON {"image": "<base64>"}.';

export const imageJsonBody = z.object({ image: z.string().min(1) });

export function decodeBase64(value: string, field: string): Buffer {
  const b64 = value.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw new AppError('VALIDATION_FAILED', `The "${field}" field is not valid base64.`, { problems: [{ field, problem: 'not base64', fix: FIX_IMAGE }] });
  return Buffer.from(b64, 'base64');
}

export async function readUploadedImage(req: FastifyRequest, maxUploadBytes: number): Promise<{ name: string; bytes: Buffer }> {
  if (req.isMultipart()) {
    const { file } = await readMultipart(req, { maxBytes: maxUploadBytes, defaultFileName: 'image', noun: 'image', fix: FIX_IMAGE, missingFileFix: FIX_IMAGE });
    return { name: file.fileName, bytes: await uploadToBuffer(file) };
  }
  const parsed = imageJsonBody.safeParse(req.body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The request has no image.', { problems: [{ field: 'image', problem: 'missing or not a string', fix: FIX_IMAGE }] });
  return { name: 'image', bytes: decodeBase64(parsed.data.image, 'image') };
}
