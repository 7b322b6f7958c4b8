/**
 * Issue 17 (CLI start-up): cql-execution, cql-exec-fhir and fhirpath.js (~0.5–0.8 s to load together) load when a
 * rule is first evaluated or a prefetch token first filled, not when the app is imported and built — what every
 * embedded CLI command does before its own work (`sagebrush text train` never evaluates CQL). Runs in a child
 * process so the module cache is clean; the packages are CommonJS, so the require cache shows whether they loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const RULE_LIBS = ['cql-execution', 'cql-exec-fhir', 'fhirpath'];

const dir = mkdtempSync(join(tmpdir(), 'sb-cql-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('building the app loads no CQL or FHIRPath library; evaluating a rule and a prefetch token then loads them', async () => {
  const script = join(dir, 'main.mjs');
  const src = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);
  writeFileSync(script, `
import { createRequire } from 'node:module';
const cache = createRequire(${JSON.stringify(pathToFileURL(join(ROOT, 'package.json')).href)}).cache;
const loaded = () => ${JSON.stringify(RULE_LIBS)}.filter((p) => Object.keys(cache).some((k) => k.includes('/node_modules/' + p + '/')));
const { createAppContext } = await import(${src('app/context.ts')});
const { loadConfig } = await import(${src('core/config.ts')});
const { createLogger } = await import(${src('core/logger.ts')});
const { buildApp } = await import(${src('http/app.ts')});
const config = loadConfig({ env: {}, overrides: { dataDir: ${JSON.stringify(join(dir, 'data'))}, logLevel: 'warn', apiTokens: [] } });
const ctx = await createAppContext(config, { logger: createLogger('warn') });
const app = await buildApp(ctx);
await app.ready();
const atStart = loaded();
const { getCodeService, wrapResource } = await import(${src('domains/cql/execute.ts')});
const { fhirpathToken } = await import(${src('domains/cds/fhirpathTokens.ts')});
getCodeService();
wrapResource({ resourceType: 'Patient', id: 'p1' });
const token = fhirpathToken('context.patientId', { patientId: 'p1' });
const afterUse = loaded();
await app.close();
await ctx.close();
process.stdout.write(JSON.stringify({ atStart, afterUse, token }));
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...env, NODE_NO_WARNINGS: '1' }, maxBuffer: 16 << 20 });
  const out = JSON.parse(stdout) as { atStart: string[]; afterUse: string[]; token: string | null };
  expect(out.atStart).toEqual([]);
  expect(out.afterUse).toEqual(RULE_LIBS);
  expect(out.token).toBe('p1');
}, 120_000);
