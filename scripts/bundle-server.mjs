// The bundle step of `npm run build:server` (ADR 0006): src/cli/main.ts and everything it imports, with the libraries
// the CLI and server load on every run, go into a few ES module files in dist/bundle/ (main.js plus chunks that the
// lazily imported parts — the app, the domains — load on demand). Node 20 has no module compile cache, so loading
// ~800 small modules (kysely alone is 263, zod 95, fastify's CommonJS tree ~150) costs ~0.4 s of every one-shot
// command; a bundle loads the same code from a few files. bin/sagebrush.js runs dist/bundle/main.js when the build is
// fresh; the per-file dist/ tree stays beside it, because worker threads (job, training, scoring, CQL) start from
// their own entry files there, and modules find their assets (thread bootstraps, the CQL library, Python scripts,
// ../../web/dist) relative to themselves.
//
// That last point is why every `import.meta.url` / `import.meta.dirname` of a source module, and every `__dirname` /
// `__filename` of a bundled CommonJS library, is rewritten to name the module's own file (its dist/ twin for sources,
// its node_modules file for libraries), computed from the chunk's URL so the tree can still move as a whole.
import { readFile, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Libraries the sources import that go into the bundle (with their own dependencies), verified to run bundled. */
const BUNDLED = new Set(['kysely', 'zod', 'fastify', 'fastify-type-provider-zod', 'commander', 'csv-parse', '@fastify/multipart', 'pino', 'cli-progress', 'tar-stream', 'yauzl', 'yazl', 'jose']);
/** Never bundled, even as a dependency of a bundled library: native add-ons and packages that start their own worker files. */
const NEVER = new Set(['better-sqlite3', 'onnxruntime-node', 'node-llama-cpp', 'sharp', 'piscina', 'tsx', 'esbuild']);
/**
 * Sources whose side effects an external library needs before it loads (a global it reads at load time): esbuild puts
 * a chunk's external imports before its bundled code, so these stay their own (dist/) modules, imported in order.
 */
const IN_ORDER = ['domains/fhir/websocketShim.ts'];
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** `path` relative to `from` as a URL path ('../x/y.js'). */
const relUrl = (from, path) => relative(from, path).split('\\').join('/');

function locationPlugin(srcDir, distDir, outDir) {
  return {
    name: 'sagebrush-locations',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (a) => {
        const path = join(a.resolveDir, a.path);
        if (!IN_ORDER.includes(relUrl(srcDir, path))) return undefined;
        return { path: relUrl(outDir, join(distDir, relative(srcDir, path))).replace(/\.ts$/, '.js'), external: true };
      });
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.path.startsWith('node:')) return { external: true };
        const name = packageName(a.path);
        if (NEVER.has(name)) return { external: true };
        // From the sources: only the listed libraries. From inside a bundled library: its dependencies come along.
        const fromSource = !a.importer.includes('/node_modules/');
        return fromSource && !BUNDLED.has(name) ? { external: true } : undefined;
      });
      b.onLoad({ filter: /\.ts$/ }, async (a) => {
        if (!a.path.startsWith(srcDir)) return undefined;
        let text = await readFile(a.path, 'utf8');
        if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' };
        const twin = join(distDir, relative(srcDir, a.path)).replace(/\.ts$/, '.js');
        const url = `new URL(${JSON.stringify(relUrl(outDir, twin))}, import.meta.url)`;
        text = text
          .replaceAll('import.meta.url', `${url}.href`)
          .replaceAll('import.meta.filename', `__sbFile(${url})`)
          .replaceAll('import.meta.dirname', `__sbDir(__sbFile(${url}))`);
        return { contents: text, loader: 'ts' };
      });
      b.onLoad({ filter: /\/node_modules\/.*\.c?js$/ }, async (a) => {
        const text = await readFile(a.path, 'utf8');
        if (!/\b__(?:dirname|filename)\b/.test(text)) return undefined;
        // A CommonJS module is wrapped in its own function by esbuild, so these declarations stay local to it. (Not
        // import.meta here: that would make esbuild take the file for an ES module; __sbChunk is the banner's.)
        const file = `new URL(${JSON.stringify(relUrl(outDir, a.path))}, __sbChunk)`;
        const head = `var __filename = __sbFile(${file}), __dirname = __sbDir(__filename);`;
        return { contents: `${head}${text}`, loader: 'js' };
      });
    },
  };
}

/** Bundles src/cli/main.ts into outDir (emptied first); returns the number of files written. */
export async function bundleCli({ srcDir, distDir, outDir }) {
  rmSync(outDir, { recursive: true, force: true });
  // esbuild comes with tsx (a dependency); imported here, so a missing one fails only this step (build-server.mjs)
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { main: join(srcDir, 'cli/main.ts') },
    outdir: outDir,
    absWorkingDir: dirname(srcDir), // meta.json names files relative to the repository root
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [locationPlugin(srcDir, distDir, outDir)],
    // Bundled CommonJS libraries call require() for Node's built-ins; __sbFile/__sbDir serve the rewrite above.
    banner: {
      js: [
        "import { createRequire as __sbRequire } from 'node:module';",
        "import { fileURLToPath as __sbFile } from 'node:url';",
        "import { dirname as __sbDir } from 'node:path';",
        'const require = __sbRequire(import.meta.url), __sbChunk = import.meta.url;',
      ].join(' '),
    },
  });
  // Which sources and libraries each output file holds: the build test checks what `--help` loads with it.
  await writeFile(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
  return Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
}
