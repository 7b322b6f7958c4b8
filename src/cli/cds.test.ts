/** `sagebrush cds` as a user runs it: a real process on a temp embedded store seeded with one Synthea patient. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../app/context.ts';
import { loadConfig } from '../core/config.ts';
import { SAMPLE_ORDERS } from '../domains/cds/samples.ts';
import { responseProblems } from '../domains/cds/schema.ts';
import { loadSynthea, syntheaMissing, WITHOUT_SINUSITIS } from '../domains/cds/testing/synthea.ts';
import { createCliSandbox } from './testing.ts';

const { dir, dataDir, cli, cleanup } = createCliSandbox('cds');
afterAll(cleanup);

describe.skipIf(syntheaMissing() !== null)('sagebrush cds', () => {
  let patientId = '';
  beforeAll(async () => {
    const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }));
    const r = await ctx.services.fhir.importBundle(loadSynthea(WITHOUT_SINUSITIS), { withCoverage: 'Acme Health', plans: ['acme-standard'] });
    patientId = r.patients[0]!;
    await ctx.close();
  }, 120_000);

  it('call order-sign prints the card and the coverage-information table', async () => {
    const r = await cli(['cds', 'call', 'order-sign', '--patient', patientId, '--order', 'amoxicillin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^order-sign-crd · HTTP 200 · 1 card\(s\), 1 system action\(s\)/);
    expect(r.stdout).toMatch(/\[WARNING\] Prior authorization required for amoxicillin/);
    expect(r.stdout).toMatch(/source: Acme Health \(coverage-info\)/);
    expect(r.stdout).toMatch(/MedicationRequest\/draft-amoxicillin\s+covered\s+auth-needed\s+clinical/);
  }, 120_000);

  it('--json returns the request and response; an order file works; bad input exits 1', async () => {
    const file = join(dir, 'mri.json');
    writeFileSync(file, JSON.stringify(SAMPLE_ORDERS.find((s) => s.id === 'mri-lumbar')!.resource));
    const r = await cli(['--json', 'cds', 'call', 'order-sign', '--patient', patientId, '--order', file, '--no-prefetch']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe(200);
    expect(j.request.prefetch).toBeUndefined();
    expect(j.prefetch.patient).toBe('fetched');
    expect(responseProblems(j.response, { crd: true })).toEqual([]);
    expect(j.coverageInformation[0].resource).toBe('ServiceRequest/draft-mri-lumbar');
    const bad = await cli(['cds', 'call', 'order-dance', '--patient', patientId]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown hook order-dance/);
    const calls = await cli(['cds', 'calls']);
    expect(calls.stdout).toMatch(/order-sign-crd\s+200/);
  }, 120_000);
});
