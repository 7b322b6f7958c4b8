/** `sagebrush rules` as a user runs it: a real process on a temp embedded store. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coverage, medicationOrder, patientWith } from '../domains/cql/testing.ts';
import { createCliSandbox } from './testing.ts';

const { dir, cli, cleanup } = createCliSandbox('rules');
afterAll(cleanup);

describe('sagebrush rules', () => {
  it('shows a library, tests it on a bundle + order, disables one', async () => {
    const show = await cli(['rules', 'show', 'Sinusitis']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/Has Active Sinusitis\s+System\.Boolean/);

    const bundle = join(dir, 'bundle.json');
    const order = join(dir, 'order.json');
    const cov = join(dir, 'coverage.json');
    writeFileSync(bundle, JSON.stringify(patientWith([])));
    writeFileSync(order, JSON.stringify(medicationOrder()));
    writeFileSync(cov, JSON.stringify(coverage('acme-standard', 'Acme Standard')));
    const test = await cli(['rules', 'test', 'AmoxicillinPriorAuth', '--bundle', bundle, '--order', order, '--coverage', cov]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toContain('Decision: covered · auth-needed · doc-needed clinical');
    expect(test.stdout).toMatch(/Is Amoxicillin\s+true/);
    expect(test.stdout).toContain('CDS hooks: compiled evaluator');

    const json = await cli(['--json', 'rules', 'test', 'AmoxicillinPriorAuth', '--bundle', bundle, '--order', order, '--no-coverage']);
    expect(JSON.parse(json.stdout).decision).toMatchObject({ covered: 'not-covered', reasons: [{ code: 'coverage-not-found' }] });

    expect((await cli(['rules', 'disable', 'TablePolicy'])).stdout).toContain('TablePolicy is disabled.');
  }, 120_000);

  it('add reports translator errors with line numbers; policy set from CSV', async () => {
    const bad = join(dir, 'Bad.cql');
    writeFileSync(bad, "library BadRule version '1.0.0'\nusing FHIR version '4.0.1'\ncontext Patient\ndefine X: Missing\n");
    const r = await cli(['rules', 'add', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CQL_TRANSLATION_FAILED');
    expect(r.stderr).toMatch(/line 4:11/);

    const csv = join(dir, 'policy.csv');
    writeFileSync(csv, 'plan,system,code,display,requirement\nacme-gold,cpt,72148,MRI lumbar spine,pa\n');
    const set = await cli(['rules', 'policy', 'set', csv]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('1 row(s)');
  }, 120_000);
});
