/** SVG → PNG for figures (sharp / librsvg; text uses the system's DejaVu or Liberation fonts). */
import type { SharpConstructor } from 'sharp';

let sharpLib: Promise<SharpConstructor> | undefined;

export async function svgToPng(svg: string | Buffer, density = 144): Promise<Buffer> {
  // Imported on first use: reports are the only figures, and most commands never draw one (issue 17).
  const sharp = await (sharpLib ??= import('sharp').then((m) => m.default as SharpConstructor));
  return sharp(Buffer.isBuffer(svg) ? svg : Buffer.from(svg, 'utf8'), { density }).png().toBuffer();
}
