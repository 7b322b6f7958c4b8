/**
 * The boundary check (`npm run check:boundaries`) with the real .dependency-cruiser.cjs: a tiny tree gets one
 * planted forbidden import per rule, and each must be reported under that rule's name; the same tree without
 * the plants (but with the imports the rules allow) must pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Imports every rule allows: the clean tree, and the base the planted trees add to. */
const ALLOWED: Record<string, string> = {
  'src/core/errors.ts': 'export class AppError extends Error {}\n',
  'src/ml/score.ts': "import { AppError } from '../core/errors.ts';\nexport const score = (): number => (AppError ? 1 : 0);\n",
  'src/domains/d/service.ts': "import { score } from '../../ml/score.ts';\nexport const run = (): number => score();\n",
  'src/domains/d/index.ts': "export { run } from './service.ts';\n",
  // route tests use the real app
  'src/domains/d/service.test.ts': "import { app } from '../../app/context.ts';\nexport const t = app;\n",
  'src/app/context.ts': "import { run } from '../domains/d/index.ts';\nexport const app = { run };\n",
  // infrastructure: jobs → storage → core; the app (a composition root such as the job thread's entry) → jobs
  'src/storage/db.ts': "import { AppError } from '../core/errors.ts';\nexport const db = AppError;\n",
  'src/jobs/queue.ts': "import { db } from '../storage/db.ts';\nexport const queue = db;\n",
  'src/app/jobThread.ts': "import { queue } from '../jobs/queue.ts';\nimport { app } from './context.ts';\nexport const thread = { queue, app };\n",
  // a jobs test runs the real app
  'src/jobs/queue.test.ts': "import { app } from '../app/context.ts';\nexport const t = app;\n",
  // a type-only import of server code is erased before bundling
  'web/src/page.ts': "import type { AppError } from '../../src/core/errors.ts';\nexport type E = AppError;\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** Writes the tree, cruises it as `npm run check:boundaries` does (err: exit status = errors) and as JSON. */
function cruise(files: Record<string, string>): { status: number | null; violations: Violation[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-boundaries-'));
  dirs.push(dir);
  const tsconfig = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, verbatimModuleSyntax: true, noEmit: true } };
  for (const [path, text] of Object.entries({ ...files, 'tsconfig.json': JSON.stringify(tsconfig) })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = (type: string) => spawnSync(process.execPath, [cli, '--config', config, '--output-type', type, 'src', 'web/src'], { cwd: dir, encoding: 'utf8' });
  const json = run('json');
  if (!json.stdout) throw new Error(`depcruise wrote nothing: ${json.stderr}`);
  return { status: run('err').status, violations: JSON.parse(json.stdout).summary.violations };
}

const brief = (vs: Violation[]) => vs.map((v) => `${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`).sort();

// Each case starts depcruise twice (a few seconds each; more on a loaded machine).
describe('boundary rules (.dependency-cruiser.cjs)', { timeout: 120_000 }, () => {
  it('passes a tree that keeps to the layers', () => {
    const result = cruise(ALLOWED);
    expect(brief(result.violations)).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('names the rule for each planted forbidden import', () => {
    const result = cruise({
      ...ALLOWED,
      // ml → domains
      'src/ml/leak.ts': "import { run } from '../domains/d/service.ts';\nexport const leak = run;\n",
      // core → ml
      'src/core/up.ts': "import { score } from '../ml/score.ts';\nexport const up = score;\n",
      // a domain (non-test) → app
      'src/domains/d/wired.ts': "import { app } from '../../app/context.ts';\nexport const wired = app;\n",
      // a 2-file cycle through type-only imports
      'src/ml/a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\n",
      'src/ml/b.ts': "import type { A } from './a.ts';\nexport interface B { a?: A }\n",
      // web importing a server value (beside a type from the same module: still a value import)
      'web/src/bundle.ts':
        "import type { AppError } from '../../src/core/errors.ts';\nimport { score } from '../../src/ml/score.ts';\nexport const s: AppError | number = score();\n",
      'web/src/mixed.ts': "import type { AppError } from '../../src/core/errors.ts';\nimport { AppError as E } from '../../src/core/errors.ts';\nexport const e: AppError = new E();\n",
      // app → a domain's internals instead of its index.ts
      'src/app/deep.ts': "import { run } from '../domains/d/service.ts';\nexport const deep = run;\n",
      // jobs (non-test) → app: a job thread entry that builds the AppContext belongs in src/app
      'src/jobs/entry.ts': "import { app } from '../app/context.ts';\nexport const entry = app;\n",
      // runtimes → a domain, storage → jobs
      'src/runtimes/model.ts': "import { run } from '../domains/d/index.ts';\nexport const model = run;\n",
      'src/storage/queued.ts': "import { queue } from '../jobs/queue.ts';\nexport const queued = queue;\n",
    });
    expect(brief(result.violations)).toEqual(
      [
        'error ml-is-pure: src/ml/leak.ts → src/domains/d/service.ts',
        'error core-is-the-bottom: src/core/up.ts → src/ml/score.ts',
        'error domains-not-above: src/domains/d/wired.ts → src/app/context.ts',
        'error no-circular: src/ml/a.ts → src/ml/b.ts',
        'error web-types-only-from-server: web/src/bundle.ts → src/ml/score.ts',
        'error web-types-only-from-server: web/src/mixed.ts → src/core/errors.ts',
        'error domain-through-index: src/app/deep.ts → src/domains/d/service.ts',
        'error infrastructure-not-above: src/jobs/entry.ts → src/app/context.ts',
        'error infrastructure-not-above: src/runtimes/model.ts → src/domains/d/index.ts',
        'error storage-runtimes-below-jobs: src/storage/queued.ts → src/jobs/queue.ts',
      ].sort(),
    );
    expect(result.status).toBe(10); // one per error
  });
});
