/**
 * Image bytes → backbone input tensors (sharp/libvips). Every image is decoded ONCE per call (decoding, not
 * inference, limits throughput) into an sRGB base buffer; all views and augmented copies are derived from it.
 *
 * Preprocessing (documented in README.md): JPEG/PNG/WebP only (sniffed by magic bytes, so SVG/GIF/TIFF never
 * reach a decoder) → EXIF orientation applied → alpha flattened onto white → sRGB 8-bit → base = the decoded
 * image, shrunk so its shorter side is at most 512 px (big photos decode with JPEG shrink-on-load) →
 * 'center' = shorter side resized to 224 then centre-cropped to 224×224 (sharp fit 'cover', Lanczos3) →
 * float32 CHW, x/255, ImageNet mean/std. Flips and rotations are exact pixel permutations of 'center';
 * 'crop-tl'/'crop-br' take a 224 corner crop of the shorter-side-256 resize (the classic 10-crop recipe).
 */
import type { Metadata, Sharp, SharpConstructor } from 'sharp';
import { AppError, type ErrorCode } from '../../../core/errors.ts';
import { sniffImageType, type ImageType } from '../../../core/imageType.ts';
import { mulberry32 as seededRng } from '../../../ml/split/prng.ts';

export const INPUT_SIZE = 224;
export type ViewName = 'center' | 'hflip' | 'vflip' | 'rot90' | 'rot180' | 'rot270' | 'crop-tl' | 'crop-br';
export const VIEW_NAMES: readonly ViewName[] = ['center', 'hflip', 'vflip', 'rot90', 'rot180', 'rot270', 'crop-tl', 'crop-br'];
export interface ImageInfo { width: number; height: number; format: string }

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const MIN_SIDE = 32;
/** Shorter side of the decoded base image (larger images are shrunk on load; smaller ones kept as they are). */
const BASE_SIDE = 512;
/** Decompression-bomb guard: libvips refuses inputs with more pixels than this. */
const MAX_PIXELS = 100_000_000;
const CORNER_RESIZE = 256;

type Format = ImageType;

function fail(code: ErrorCode, name: string, problem: string, fix: string, cause?: unknown): AppError {
  return new AppError(code, `${name}: ${problem}`, { problems: [{ field: name, problem, fix }], cause });
}

/** Identifies the container by its first bytes (core sniff); only JPEG, PNG and WebP are accepted. */
function sniff(bytes: Buffer, name: string): Format {
  const type = sniffImageType(bytes);
  if (type) return type;
  const other = otherFormat(bytes);
  if (other) {
    throw fail('IMAGE_FORMAT_UNSUPPORTED', name, `is a ${other} image; only JPEG, PNG and WebP are supported`, 'Convert it to JPEG or PNG (e.g. `magick in.gif out.png`) or remove it from the dataset');
  }
  if (bytes.length === 0) throw fail('IMAGE_UNREADABLE', name, 'is empty (0 bytes)', 'Re-export the image or remove it from the dataset');
  throw fail('IMAGE_UNREADABLE', name, 'is not a JPEG, PNG or WebP image (unrecognised bytes)', 'Check that the file really is an image (open it in an image viewer); re-export it as JPEG or PNG, or remove it');
}

function otherFormat(b: Buffer): string | null {
  const head = b.toString('latin1', 0, Math.min(b.length, 16));
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'GIF';
  if (head.startsWith('BM')) return 'BMP';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'TIFF';
  if (head.slice(4, 8) === 'ftyp') {
    const brand = head.slice(8, 12);
    return brand.startsWith('avi') ? 'AVIF' : 'HEIC/HEIF';
  }
  if (head.startsWith('\0\0\0\x0cjP  ') || head.startsWith('\xff\x4f\xff\x51')) return 'JPEG 2000';
  if (head.startsWith('\0\0\x01\0')) return 'ICO';
  if (head.startsWith('8BPS')) return 'Photoshop (PSD)';
  const text = b.toString('utf8', 0, Math.min(b.length, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'SVG';
  if (head.startsWith('DICM') || (b.length > 132 && b.toString('latin1', 128, 132) === 'DICM')) return 'DICOM';
  return null;
}

function decodeError(err: unknown, name: string): AppError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit|exceeds/i.test(msg)) {
    return fail('IMAGE_UNREADABLE', name, `is larger than ${MAX_PIXELS / 1e6} megapixels`, 'Downscale the image (e.g. to 2,000 px on the longest side) and upload it again', err);
  }
  return fail('IMAGE_UNREADABLE', name, `is corrupt or truncated (${msg.split('\n')[0]})`, 'Re-export or re-download the image (open it in an image viewer to check), or remove it from the dataset', err);
}

let sharpLib: Promise<SharpConstructor> | undefined;

/** sharp (libvips), imported on first use: CLI commands and servers that never decode an image skip loading it (issue 17). */
function loadSharp(): Promise<SharpConstructor> {
  sharpLib ??= import('sharp').then((m) => m.default as SharpConstructor);
  return sharpLib;
}

async function input(bytes: Buffer): Promise<Sharp> {
  const sharp = await loadSharp();
  // failOn 'truncated' rejects cut-off files but tolerates the minor warnings many real-world JPEGs carry.
  return sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS, sequentialRead: true });
}

/** Decoded, oriented sRGB pixels (3 channels, 8-bit), shorter side ≤ BASE_SIDE. */
export interface DecodedImage { data: Buffer; width: number; height: number; format: Format }

/** Decodes once: validates format and size, applies EXIF orientation, flattens alpha onto white. */
export async function decodeImage(bytes: Buffer, name = 'image'): Promise<DecodedImage> {
  const { width, height, format } = await readHeader(bytes, name);
  const scale = Math.min(1, BASE_SIDE / Math.min(width, height));
  try {
    let pipeline = (await input(bytes)).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb');
    if (scale < 1) pipeline = pipeline.resize({ width: Math.round(width * scale), height: Math.round(height * scale), fit: 'fill' });
    const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { data: toRgb(data, info.channels), width: info.width, height: info.height, format };
  } catch (err) {
    throw decodeError(err, name);
  }
}

/** Format (magic bytes), oriented size from the header, and the minimum-size check: what every decode starts with. */
async function readHeader(bytes: Buffer, name: string): Promise<ImageInfo & { format: Format }> {
  const format = sniff(bytes, name);
  let meta: Metadata;
  try {
    meta = await (await input(bytes)).metadata();
  } catch (err) {
    throw decodeError(err, name);
  }
  const { width, height } = orientedSize(meta);
  if (!width || !height) throw fail('IMAGE_UNREADABLE', name, 'has no readable dimensions', 'Re-export the image as JPEG or PNG');
  checkSize(width, height, name);
  return { width, height, format };
}

function orientedSize(meta: Metadata): { width: number; height: number } {
  const w = meta.width ?? 0, h = meta.height ?? 0;
  // EXIF orientations 5–8 swap width and height.
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}

function checkSize(width: number, height: number, name: string): void {
  if (Math.min(width, height) < MIN_SIDE) {
    throw fail('IMAGE_TOO_SMALL', name, `is ${width}×${height} px; the shorter side must be at least ${MIN_SIDE} px`, 'Use the original, larger image (it is resized to 224×224 for the model) or remove it');
  }
}

function toRgb(data: Buffer, channels: number): Buffer {
  if (channels === 3) return data;
  const n = data.length / channels;
  const out = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    const g = data[i * channels]!;
    out[i * 3] = g;
    out[i * 3 + 1] = channels >= 3 ? data[i * channels + 1]! : g;
    out[i * 3 + 2] = channels >= 3 ? data[i * channels + 2]! : g;
  }
  return out;
}

/**
 * Validates an image without keeping its pixels: format (by magic bytes), readability (a full decode at a
 * reduced scale so truncated files are caught) and minimum size. Width/height are after EXIF orientation.
 */
export async function inspectImage(bytes: Buffer, name: string): Promise<ImageInfo> {
  const { width, height, format } = await readHeader(bytes, name);
  try {
    // Decoding all the data (shrink-on-load keeps it cheap) is the only way to find a truncated file.
    await (await input(bytes)).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw decodeError(err, name);
  }
  return { width, height, format };
}

async function raw(img: { data: Buffer; width: number; height: number }): Promise<Sharp> {
  const sharp = await loadSharp();
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

async function toRaw(pipeline: Sharp): Promise<Buffer> {
  const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== INPUT_SIZE || info.height !== INPUT_SIZE) throw new AppError('INTERNAL', `resize produced ${info.width}×${info.height}`);
  return toRgb(data, info.channels);
}

/** 'center': shorter side → 224, centre crop 224×224, as HWC RGB bytes. */
async function centerRgb(img: DecodedImage): Promise<Buffer> {
  return toRaw((await raw(img)).resize(INPUT_SIZE, INPUT_SIZE, { fit: 'cover', position: 'centre', kernel: 'lanczos3' }));
}

/** Corner crop of the shorter-side-256 resize. */
async function cornerRgb(img: DecodedImage, corner: 'tl' | 'br'): Promise<Buffer> {
  const s = CORNER_RESIZE / Math.min(img.width, img.height);
  const w = Math.max(CORNER_RESIZE, Math.round(img.width * s));
  const h = Math.max(CORNER_RESIZE, Math.round(img.height * s));
  const left = corner === 'tl' ? 0 : w - INPUT_SIZE;
  const top = corner === 'tl' ? 0 : h - INPUT_SIZE;
  return toRaw((await raw(img)).resize(w, h, { fit: 'fill', kernel: 'lanczos3' }).extract({ left, top, width: INPUT_SIZE, height: INPUT_SIZE }));
}

/**
 * Geometric transform of a square HWC RGB image: optional horizontal/vertical flip, then rotation by
 * `quarterTurns` × 90° clockwise. Exact (no resampling).
 */
export function transformSquare(rgb: Uint8Array, size: number, t: { hflip?: boolean; vflip?: boolean; quarterTurns?: number }): Uint8Array {
  const q = (((t.quarterTurns ?? 0) % 4) + 4) % 4;
  if (!t.hflip && !t.vflip && q === 0) return rgb;
  const out = new Uint8Array(rgb.length);
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Destination (x, y) ← source pixel found by undoing the rotation, then the flips.
      let sx: number, sy: number;
      if (q === 0) { sx = x; sy = y; }
      else if (q === 1) { sx = y; sy = last - x; } // 90° clockwise
      else if (q === 2) { sx = last - x; sy = last - y; }
      else { sx = last - y; sy = x; } // 270° clockwise
      if (t.hflip) sx = last - sx;
      if (t.vflip) sy = last - sy;
      const d = (y * size + x) * 3, s = (sy * size + sx) * 3;
      out[d] = rgb[s]!;
      out[d + 1] = rgb[s + 1]!;
      out[d + 2] = rgb[s + 2]!;
    }
  }
  return out;
}

/**
 * Normalised value of byte v in channel c, computed in float32 in the exported graph's order,
 * (v / 255 - mean) / std, so TypeScript and ONNX preprocessing agree bit for bit.
 */
const NORMALISED = (() => {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(IMAGENET_MEAN[c]!), std = Math.fround(IMAGENET_STD[c]!);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
  }
  return lut;
})();

/** HWC uint8 RGB (224×224×3) → CHW float32 with ImageNet normalisation. */
export function rgbToTensor(rgb: Uint8Array, size = INPUT_SIZE): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    out[i] = NORMALISED[rgb[j]!]!;
    out[plane + i] = NORMALISED[256 + rgb[j + 1]!]!;
    out[2 * plane + i] = NORMALISED[512 + rgb[j + 2]!]!;
  }
  return out;
}

/** RGB bytes of each view, from one decoded image. */
export async function viewRgb(img: DecodedImage, views: readonly ViewName[]): Promise<Uint8Array[]> {
  let center: Promise<Buffer> | undefined;
  const getCenter = () => (center ??= centerRgb(img));
  return Promise.all(views.map(async (v): Promise<Uint8Array> => {
    switch (v) {
      case 'center': return getCenter();
      case 'hflip': return transformSquare(await getCenter(), INPUT_SIZE, { hflip: true });
      case 'vflip': return transformSquare(await getCenter(), INPUT_SIZE, { vflip: true });
      case 'rot90': return transformSquare(await getCenter(), INPUT_SIZE, { quarterTurns: 1 });
      case 'rot180': return transformSquare(await getCenter(), INPUT_SIZE, { quarterTurns: 2 });
      case 'rot270': return transformSquare(await getCenter(), INPUT_SIZE, { quarterTurns: 3 });
      case 'crop-tl': return cornerRgb(img, 'tl');
      case 'crop-br': return cornerRgb(img, 'br');
      default: throw new AppError('BAD_REQUEST', `Unknown image view '${String(v)}'; use one of ${VIEW_NAMES.join(', ')}`);
    }
  }));
}

/** One normalised 3×224×224 tensor per view, all derived from a single decode. */
export async function imageTensors(bytes: Buffer, views: readonly ViewName[], name = 'image'): Promise<Float32Array[]> {
  const img = await decodeImage(bytes, name);
  return (await viewRgb(img, views)).map((rgb) => rgbToTensor(rgb));
}

/** 224×224×3 RGB bytes after the same orientation/resize/crop as 'center' (the exported ONNX model's input). */
export async function preprocessedRgb(bytes: Buffer, name = 'image'): Promise<Uint8Array> {
  const img = await decodeImage(bytes, name);
  return new Uint8Array(await centerRgb(img));
}

/** mulberry32 (src/ml/split/prng.ts) as a plain function: the same seed always gives the same augmentations. */
export function mulberry32(seed: number): () => number {
  return seededRng(seed).next;
}

export interface AugmentParams {
  crop: { left: number; top: number; width: number; height: number };
  hflip: boolean;
  vflip: boolean;
  quarterTurns: number;
  brightness: number;
  saturation: number;
  hue: number;
}

/**
 * Parameters of augmented copy `copy` (independent of the other copies, so one copy can be recomputed alone):
 * random resized crop (35–100 % of the area, aspect 3/4–4/3), flips, rotation by a multiple of 90°
 * (dermoscopy has no canonical orientation), brightness and saturation ×0.8–1.2, hue ±10°.
 */
export function augmentParams(width: number, height: number, seed: number, copy: number): AugmentParams {
  const rand = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(copy + 1, 0x85ebca6b)) >>> 0);
  const area = width * height;
  let crop = { left: 0, top: 0, width, height };
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (0.35 + 0.65 * rand());
    const logRatio = Math.log(3 / 4) + (Math.log(4 / 3) - Math.log(3 / 4)) * rand();
    const ratio = Math.exp(logRatio);
    const w = Math.round(Math.sqrt(target * ratio)), h = Math.round(Math.sqrt(target / ratio));
    if (w >= 8 && h >= 8 && w <= width && h <= height) {
      crop = { left: Math.floor(rand() * (width - w + 1)), top: Math.floor(rand() * (height - h + 1)), width: w, height: h };
      break;
    }
  }
  return {
    crop,
    hflip: rand() < 0.5,
    vflip: rand() < 0.5,
    quarterTurns: Math.floor(rand() * 4),
    brightness: 0.8 + 0.4 * rand(),
    saturation: 0.8 + 0.4 * rand(),
    hue: Math.round(-10 + 20 * rand()),
  };
}

/** RGB bytes of augmented copies 0..copies-1 (or the listed ones), from one decoded image. */
export async function augmentedRgb(img: DecodedImage, seed: number, copies: readonly number[]): Promise<Uint8Array[]> {
  return Promise.all(copies.map(async (copy) => {
    const p = augmentParams(img.width, img.height, seed, copy);
    const rgb = await toRaw((await raw(img)).extract(p.crop).resize(INPUT_SIZE, INPUT_SIZE, { fit: 'fill', kernel: 'lanczos3' })
      .modulate({ brightness: p.brightness, saturation: p.saturation, hue: p.hue }));
    return transformSquare(rgb, INPUT_SIZE, p);
  }));
}

/** `copies` seeded augmented tensors (random resized crop, flips, 90° rotations, colour jitter), one decode. */
export async function augmentedTensors(bytes: Buffer, copies: number, seed: number, name = 'image'): Promise<Float32Array[]> {
  const img = await decodeImage(bytes, name);
  const idx = Array.from({ length: Math.max(0, Math.floor(copies)) }, (_, i) => i);
  return (await augmentedRgb(img, seed, idx)).map((rgb) => rgbToTensor(rgb));
}

/** A WebP thumbnail whose longest side is `size` px (EXIF orientation applied, alpha kept). */
export async function thumbnail(bytes: Buffer, size = 128, name = 'image'): Promise<Buffer> {
  sniff(bytes, name);
  try {
    return await (await input(bytes)).rotate().resize(size, size, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
  } catch (err) {
    throw decodeError(err, name);
  }
}
