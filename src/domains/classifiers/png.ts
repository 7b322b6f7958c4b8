/** SVG → PNG for figures (sharp / librsvg; text uses the system's DejaVu or Liberation fonts). */
import sharp from 'sharp';

export async function svgToPng(svg: string | Buffer, density = 144): Promise<Buffer> {
  return sharp(Buffer.isBuffer(svg) ? svg : Buffer.from(svg, 'utf8'), { density }).png().toBuffer();
}
