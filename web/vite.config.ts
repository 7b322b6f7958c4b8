/**
 * Vite config for the Sagebrush web UI. Builds `web/` into `web/dist`, which the API server serves at `/`.
 * Everything is bundled (no CDN, no remote fonts): the UI must work with no internet.
 * Dev: `npm run dev:web` proxies `/api` to the API server on 127.0.0.1:8080.
 * Libraries go to named vendor chunks (their hashes survive app changes, so browsers keep them cached); the heavy
 * ones (Plot, CodeMirror) load only with the pages that use them. Each output file gets `.br`/`.gz` siblings that
 * the server sends as they are (src/http/app.ts, `preCompressed`).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompressDir } from '../scripts/precompress.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('dist', import.meta.url));
/** Checked in order; a module in none of them stays with the page that imports it. */
const VENDOR_CHUNKS: Array<[string, RegExp]> = [
  ['vendor-react', /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/],
  ['vendor-mantine', /[\\/]node_modules[\\/](@mantine|@floating-ui|react-remove-scroll[^\\/]*|react-style-singleton|use-callback-ref|use-sidecar|get-nonce|tslib|detect-node-es|clsx|react-number-format|react-textarea-autosize|type-fest)[\\/]/],
  ['vendor-query', /[\\/]node_modules[\\/]@tanstack[\\/]/],
  ['vendor-plot', /[\\/]node_modules[\\/](@observablehq|d3-[^\\/]+|d3|internmap|isoformat|delaunator|robust-predicates|interval-tree-1d|binary-search-bounds)[\\/]/],
  ['vendor-codemirror', /[\\/]node_modules[\\/](@codemirror|@lezer|@uiw|crelt|style-mod|w3c-keyname|@marijn)[\\/]/],
];
const apiTarget = process.env.SAGEBRUSH_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [
    react(),
    {
      name: 'sagebrush-precompress',
      apply: 'build',
      closeBundle: { order: 'post', sequential: true, handler: () => void precompressDir(outDir) },
    },
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 4096,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: VENDOR_CHUNKS.map(([name, test]) => ({ name, test, priority: 10 })),
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/healthz': { target: apiTarget, changeOrigin: true },
    },
  },
});
