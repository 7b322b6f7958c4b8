/**
 * The image container named by a file's first bytes (JPEG, PNG or WebP: the formats the product decodes). Sniffed
 * from magic bytes, not the file name, so a text file named .jpg is not taken for an image.
 */
export type ImageType = 'jpeg' | 'png' | 'webp';

/** 'jpeg' | 'png' | 'webp' from the leading bytes (full PNG signature), or null for anything else. */
export function sniffImageType(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}
