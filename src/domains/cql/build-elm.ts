/**
 * Precompiles the built-in libraries (library/*.cql → library/elm/*.json + manifest.json of source hashes), so a
 * server or test never waits ~10 s for the translator on first use. The catalog uses a precompiled ELM only when its
 * hash matches the .cql file, and compiles otherwise; translate.test.ts fails when the files are stale.
 * Regenerate after editing a built-in:  npx tsx src/domains/cql/build-elm.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './store.ts';
import { builtinSources, LIBRARY_DIR, translateCql } from './translate.ts';

export const ELM_DIR = join(LIBRARY_DIR, 'elm');

/** The precompiled ELM of a built-in whose source hash matches, else null. */
export function precompiledElm(name: string, cql: string): Record<string, unknown> | null {
  const manifestPath = join(ELM_DIR, 'manifest.json');
  if (!existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  if (manifest[name] !== sha256(cql)) return null;
  const file = join(ELM_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : null;
}

export async function buildBuiltinElm(): Promise<Record<string, string>> {
  mkdirSync(ELM_DIR, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const [name, cql] of builtinSources()) {
    const result = await translateCql(cql);
    if (!result.ok || !result.elm) throw new Error(`${name}: ${result.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
    writeFileSync(join(ELM_DIR, `${name}.json`), `${JSON.stringify(result.elm)}\n`);
    manifest[name] = sha256(cql);
  }
  writeFileSync(join(ELM_DIR, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const manifest = await buildBuiltinElm();
  console.log(`compiled ${Object.keys(manifest).join(', ')} in ${Math.round(performance.now() - t0)} ms`);
}
