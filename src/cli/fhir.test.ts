/** `sagebrush fhir import|patients` as a user runs them: a real process on a temp embedded store. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_SYNTHEA, SECOND_SYNTHEA, SMALL_PATIENT_ID, SMALL_SYNTHEA } from '../domains/fhir/testing/fixtures.ts';
import { createCliSandbox } from './testing.ts';

const { dir, cli, cleanup } = createCliSandbox('fhir');
afterAll(cleanup);

describe.skipIf(!HAS_SYNTHEA)('sagebrush fhir', () => {
  it('imports .json.gz and .json bundles with --with-coverage, then lists the patients', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', birthDate: 'soon' }, request: { method: 'POST', url: 'Patient' } }] }));
    const r = await cli(['--json', 'fhir', 'import', SMALL_SYNTHEA, SECOND_SYNTHEA, bad, '--with-coverage', 'Acme Health', '--plan', 'acme-gold,acme-standard']);
    expect(r.code, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.totals).toMatchObject({ files: 3, imported: 2, failed: 1, coverages: 2, patients: 2 });
    expect(j.failures[0]).toMatchObject({ code: 'FHIR_RESOURCE_INVALID' });
    expect(j.byType.Coverage).toBe(2);
    expect(r.stderr).toContain('FHIR_RESOURCE_INVALID');

    const again = await cli(['fhir', 'import', SMALL_SYNTHEA]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/imported 1\/1 file\(s\): 1 patient\(s\), 70 resources \(0 created, 0 updated, 70 unchanged\)/);

    const list = await cli(['--json', 'fhir', 'patients', '--name', 'kreiger']);
    expect(list.code, list.stderr).toBe(0);
    const page = JSON.parse(list.stdout);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: SMALL_PATIENT_ID, name: 'Mr. Clemente Kreiger' });
    expect(page.items[0].coverage).toMatch(/^Acme Health — Acme (Gold|Standard)$/);
  }, 120_000);
});
