/** Test helpers: tiny real images and temporary detection folders. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** A real PNG of the given size (grey). */
export async function pngBytes(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

/** A temp folder with the given files (string or bytes), parent folders created. */
export function tempFolder(files: Record<string, string | Buffer>, prefix = 'sagebrush-det-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

/** The sample set (../shared/data/metal-tags; see its PROVENANCE.md). */
export const METAL_TAGS = join(import.meta.dirname, '../../../../../shared/data/metal-tags');
