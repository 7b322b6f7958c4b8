/**
 * An image with its detections drawn (PNG or JPEG): one SVG overlay of rectangles and "class score" captions
 * composited by sharp over the decoded pixels. Colours cycle per class.
 */
import type { Detection } from './formats/types.ts';
import { loadSharp, type RgbImage } from './pixels.ts';

const COLOURS = ['#ff3b30', '#34c759', '#0a84ff', '#ffcc00', '#af52de', '#ff9500', '#5ac8fa', '#ff2d55'];

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function overlaySvg(width: number, height: number, detections: readonly Detection[], classes: readonly string[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 150));
  const font = Math.max(10, Math.round(Math.min(width, height) / 22));
  const shapes = detections.map((d) => {
    const colour = COLOURS[d.classId % COLOURS.length]!;
    const label = `${escapeXml(classes[d.classId] ?? String(d.classId))} ${d.score.toFixed(2)}`;
    const ty = d.y1 > font + 2 ? d.y1 - 3 : d.y1 + font;
    return `<rect x="${d.x1.toFixed(1)}" y="${d.y1.toFixed(1)}" width="${(d.x2 - d.x1).toFixed(1)}" height="${(d.y2 - d.y1).toFixed(1)}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`
      + `<text x="${(d.x1 + 2).toFixed(1)}" y="${ty.toFixed(1)}" font-family="sans-serif" font-size="${font}" fill="${colour}" stroke="#000" stroke-width="0.5">${label}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

export type DrawFormat = 'png' | 'jpeg';

export async function drawDetections(image: RgbImage, detections: readonly Detection[], classes: readonly string[], format: DrawFormat = 'png'): Promise<Buffer> {
  const sharp = await loadSharp();
  const base = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(overlaySvg(image.width, image.height, detections, classes)), top: 0, left: 0 }]);
  return format === 'jpeg' ? base.jpeg({ quality: 90 }).toBuffer() : base.png().toBuffer();
}
