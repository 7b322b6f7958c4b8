// The bundle step of `npm run build:server` (ADR 0006, ADR 0008): src/cli/main.ts and everything it imports, with the
// libraries the CLI and server load on every run, go into one CommonJS file, dist/bundle/main.cjs, that
// dist/bundle/main.js (a two-line stub written here) runs through bin/bundle.js with V8's code cache. Node 20 has no
// module compile cache: loading ~800 small modules cost ~0.4 s of every one-shot command, and even as a few ES module
// chunks compiling them took ~0.1–0.2 s; V8 caches compiled code only for scripts, hence one CommonJS script. The
// lazily imported parts (the app, the domains) are in the same file but are only evaluated when imported (esbuild
// wraps them in init functions), and V8 compiles a function only when it first runs. bin/sagebrush.js runs
// dist/bundle/main.js when the build is fresh; the per-file dist/ tree stays beside it, because worker threads (job,
// training, scoring, CQL) start from their own entry files there, and modules find their assets (thread bootstraps,
// the CQL library, Python scripts, ../../web/dist) relative to themselves.
//
// That last point is why every `import.meta.url` / `import.meta.dirname` of a source module, and every `__dirname` /
// `__filename` of a bundled CommonJS library, is rewritten to name the module's own file (its dist/ twin for sources,
// its node_modules file for libraries), computed from the bundle's location so the tree can still move as a whole.
import { readFile, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Libraries the sources import that go into the bundle (with their own dependencies), verified to run bundled. */
const BUNDLED = new Set(['kysely', 'zod', 'fastify', 'fastify-type-provider-zod', 'commander', 'csv-parse', '@fastify/multipart', 'pino', 'cli-progress', 'tar-stream', 'yauzl', 'yazl', 'jose']);
/** Never bundled, even as a dependency of a bundled library: native add-ons and packages that start their own worker files. */
const NEVER = new Set(['better-sqlite3', 'onnxruntime-node', 'node-llama-cpp', 'sharp', 'piscina', 'tsx', 'esbuild']);
const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** `path` relative to `from` as a URL path ('../x/y.js'). */
const relUrl = (from, path) => relative(from, path).split('\\').join('/');

/**
 * A module's "run as a script" block (`npx tsx src/domains/cql/build-elm.ts`) may use top-level await, which CommonJS
 * has not. In the bundle its condition is never true (import.meta.url names the module's dist/ twin, not the CLI), so
 * its body is wrapped in an async function instead.
 */
const SCRIPT_BLOCK = /^if \(import\.meta\.url === `file:\/\/\$\{process\.argv\[1\]\}`\) \{\n([\s\S]*?)^\}$/m;

function locationPlugin(srcDir, distDir, outDir) {
  return {
    name: 'sagebrush-locations',
    setup(b) {
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
        text = text.replace(SCRIPT_BLOCK, (block, body) => `${block.slice(0, block.indexOf('\n') - 1)}void (async () => {\n${body}})();`);
        const twin = join(distDir, relative(srcDir, a.path)).replace(/\.ts$/, '.js');
        const url = `new URL(${JSON.stringify(relUrl(outDir, twin))}, __sbChunk)`;
        text = text
          .replaceAll('import.meta.url', `${url}.href`)
          .replaceAll('import.meta.filename', `__sbFile(${url})`)
          .replaceAll('import.meta.dirname', `__sbDir(__sbFile(${url}))`);
        return { contents: text, loader: 'ts' };
      });
      b.onLoad({ filter: /\/node_modules\/.*\.c?js$/ }, async (a) => {
        const text = await readFile(a.path, 'utf8');
        if (!/\b__(?:dirname|filename)\b/.test(text)) return undefined;
        // A CommonJS module is wrapped in its own function by esbuild, so these declarations stay local to it.
        const file = `new URL(${JSON.stringify(relUrl(outDir, a.path))}, __sbChunk)`;
        const head = `var __filename = __sbFile(${file}), __dirname = __sbDir(__filename);`;
        return { contents: `${head}${text}`, loader: 'js' };
      });
    },
  };
}

/**
 * The bundle's dynamic imports of external packages (`import("sharp")`) become `__sbImport("sharp")`, a function
 * bin/bundle.js provides (from the stub): import() inside a vm.Script needs --experimental-vm-modules. Non-ASCII characters (esbuild
 * escapes them in code, not in the comments it keeps) become \u escapes, so the loader can read the file as latin1.
 */
function finish(code, dynamicExternals) {
  let replaced = code.replace(/(?<![\w$.])import\("([^"]+)"\)/g, (call, spec) => (dynamicExternals.has(spec) ? `__sbImport(${JSON.stringify(spec)})` : call));
  // Any other import( outside a comment line (JSDoc types are full of them) would fail when it runs.
  const left = replaced.split('\n').find((line) => !/^\s*(?:\*|\/\/|\/\*)/.test(line) && /(?<![\w$.])import\((?!\))/.test(line));
  if (left) throw new Error(`a dynamic import the bundle cannot run: ${left.trim().slice(0, 120)}`);
  replaced = replaced.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return replaced;
}

/** The entry bin/sagebrush.js (and the benches) run: the bundle, through bin/bundle.js's code cache. */
const STUB = (binDir, outDir) => [
  '// Written by scripts/bundle-server.mjs: runs main.cjs, the CLI bundle, with V8\'s code cache (ADR 0008).',
  `import { runBundle } from ${JSON.stringify(relUrl(outDir, join(binDir, 'bundle.js')))};`,
  "runBundle(new URL('./main.cjs', import.meta.url), (specifier) => import(specifier));",
  '',
].join('\n');

/** Bundles src/cli/main.ts into outDir (emptied first): main.cjs, its source map, the main.js stub and meta.json. */
export async function bundleCli({ srcDir, distDir, outDir }) {
  rmSync(outDir, { recursive: true, force: true });
  // esbuild comes with tsx (a dependency); imported here, so a missing one fails only this step (build-server.mjs)
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { main: join(srcDir, 'cli/main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    absWorkingDir: dirname(srcDir), // meta.json names files relative to the repository root
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    charset: 'ascii',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [locationPlugin(srcDir, distDir, outDir)],
    // __sbChunk (the bundle's URL), __sbFile and __sbDir serve the location rewrites above; __sbImport, finish() below.
    banner: { js: "var __sbChunk = require('node:url').pathToFileURL(__filename).href, __sbFile = require('node:url').fileURLToPath, __sbDir = require('node:path').dirname, __sbImport = globalThis[Symbol.for('sagebrush.bundleImport')];" },
  });
  const dynamicExternals = new Set(Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((m) => m.external && m.kind === 'dynamic-import').map((m) => m.path)));
  const main = join(outDir, 'main.cjs');
  await writeFile(main, finish(await readFile(main, 'utf8'), dynamicExternals));
  await writeFile(join(outDir, 'main.js'), STUB(join(dirname(srcDir), 'bin'), outDir));
  // Which sources and libraries the bundle holds: the build test checks what `--help` and `text train` run with it.
  await writeFile(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
}
