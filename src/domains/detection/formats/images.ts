/**
 * Image files of a detection set: which names count as images, their content type, and their real size. Only JPEG,
 * PNG and WebP are accepted (sniffed by magic bytes, so a text file named .jpg is refused), and each image is
 * decoded once at thumbnail size so a truncated file is refused at import, not in the middle of a training run.
 */
import type { SharpConstructor } from 'sharp';
import { sniffImageType, type ImageType } from '../../../core/imageType.ts';

/** Image names: .jpg/.jpeg/.png/.webp, also the '.jpg_1' copies download tools make (the sample has ten). */
export const IMAGE_FILE = /\.(jpe?g|png|webp)(_\d+)?$/i;
const MAX_PIXELS = 100_000_000;

export type ImageFormat = ImageType;
export const CONTENT_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The shared magic-byte sniff (src/core/imageType.ts), kept under this module's name for its callers. */
export const sniffImage = sniffImageType;

let sharpLib: Promise<SharpConstructor> | undefined;
function loadSharp(): Promise<SharpConstructor> {
  sharpLib ??= import('sharp').then((m) => m.default as SharpConstructor);
  return sharpLib;
}

export type ImageProbe = { ok: true; width: number; height: number; format: ImageFormat } | { ok: false; problem: string };

/** The image's stored width and height, or why it is not a usable image. */
export async function probeImage(bytes: Buffer): Promise<ImageProbe> {
  if (bytes.length === 0) return { ok: false, problem: 'is empty (0 bytes)' };
  const format = sniffImage(bytes);
  if (!format) return { ok: false, problem: 'is not a JPEG, PNG or WebP image (its first bytes are not an image signature)' };
  try {
    const sharp = await loadSharp();
    const img = sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) return { ok: false, problem: 'has no width or height' };
    await img.resize(16, 16, { fit: 'inside' }).raw().toBuffer(); // decodes it: truncated data fails here
    return { ok: true, width: meta.width, height: meta.height, format };
  } catch (err) {
    return { ok: false, problem: `is corrupt or truncated (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})` };
  }
}
