/**
 * Writes `.br` and `.gz` beside each compressible file of a built web UI (web/dist), so the server sends them with
 * @fastify/static's `preCompressed` instead of compressing on every request. Run by the Vite build (see
 * web/vite.config.ts); by hand: `npx tsx scripts/precompress.ts web/dist`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|wasm|xml)$/i;
/** Below this a compressed copy saves less than a packet; send the file as it is. */
const MIN_BYTES = 1024;

export interface PrecompressResult {
  files: number;
  bytes: number;
  brotliBytes: number;
  gzipBytes: number;
}

export function precompressDir(dir: string): PrecompressResult {
  const result: PrecompressResult = { files: 0, bytes: 0, brotliBytes: 0, gzipBytes: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = precompressDir(path);
      for (const key of Object.keys(result) as Array<keyof PrecompressResult>) result[key] += sub[key];
      continue;
    }
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name) || statSync(path).size < MIN_BYTES) continue;
    const data = readFileSync(path);
    const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = gzipSync(data, { level: 9 });
    // A variant that is not smaller is left out: the server then falls back to the plain file.
    if (br.length < data.length) writeFileSync(`${path}.br`, br);
    if (gz.length < data.length) writeFileSync(`${path}.gz`, gz);
    result.files += 1;
    result.bytes += data.length;
    result.brotliBytes += Math.min(br.length, data.length);
    result.gzipBytes += Math.min(gz.length, data.length);
  }
  return result;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const dir = process.argv[2] ?? 'web/dist';
  const r = precompressDir(dir);
  console.log(`precompressed ${r.files} files in ${dir}: ${r.bytes} B → ${r.brotliBytes} B brotli, ${r.gzipBytes} B gzip`);
}
