/** createRemoteFhirSource against our own /fhir/R4 served over HTTP on a random port, with a bearer token. */
import type { AddressInfo } from 'node:net';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { createRemoteFhirSource } from './remote.ts';
import { HAS_SYNTHEA, loadSynthea, SMALL_PATIENT_ID } from './testing/fixtures.ts';

const token = 'remote-test-token-0123456789';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

describe.skipIf(!HAS_SYNTHEA)('remote FHIR source over HTTP', () => {
  let t: TestApp;
  let baseUrl: string;
  // A development server over http on loopback: it has to be allow-listed explicitly (SAGEBRUSH_CDS_FHIR_ALLOW).
  let allow: string[];
  beforeAll(async () => {
    t = await createTestApp({ apiTokens: [token] }, { worker: false });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/fhir/R4`;
    allow = [new URL(baseUrl).origin];
    await t.ctx.services.fhir.importBundle(loadSynthea(), { withCoverage: 'Acme Health' });
  });
  afterAll(async () => t?.close());

  it('reads, searches and builds the same patient bundle as the embedded store', async () => {
    const remote = createRemoteFhirSource({ baseUrl, allowOrigins: allow, accessToken: token, timeoutMs: 5000 });
    expect((await remote.read<Patient>('Patient', SMALL_PATIENT_ID))?.name?.[0]?.family).toBe('Kreiger');
    expect(await remote.read('Patient', 'nobody')).toBeNull();
    const cov = await remote.search('Coverage', { patient: SMALL_PATIENT_ID, status: 'active' });
    expect(cov.total).toBe(1);
    const viaHttp = (await remote.patientBundle(SMALL_PATIENT_ID))!;
    const local = (await t.ctx.services.fhir.patientBundle(SMALL_PATIENT_ID))!;
    const key = (b: typeof local) => (b.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
    expect(key(viaHttp)).toEqual(key(local));
    expect(await remote.patientBundle('nobody')).toBeNull();
  });

  it('follows paging for patientBundle with a small page size', async () => {
    const remote = createRemoteFhirSource({ baseUrl, allowOrigins: allow, accessToken: token, pageSize: 10, maxPages: 10 });
    const b = (await remote.patientBundle(SMALL_PATIENT_ID))!;
    expect(b.entry?.filter((e) => e.resource?.resourceType === 'Observation')).toHaveLength(48);
  });

  it('reports a refused token, an unreachable server and a timeout', async () => {
    expect(await code(createRemoteFhirSource({ baseUrl, allowOrigins: allow }).read('Patient', SMALL_PATIENT_ID))).toBe('FHIR_REMOTE_REJECTED');
    expect(await code(createRemoteFhirSource({ baseUrl, allowOrigins: allow, accessToken: 'wrong-token-0123456789' }).patientBundle(SMALL_PATIENT_ID))).toBe('FHIR_REMOTE_REJECTED');
    expect(await code(createRemoteFhirSource({ baseUrl: 'http://127.0.0.1:9/fhir/R4', allowOrigins: ['http://127.0.0.1:9'], timeoutMs: 2000 }).read('Patient', 'x'))).toBe('FHIR_REMOTE_UNAVAILABLE');
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    expect(await code(createRemoteFhirSource({ baseUrl, allowOrigins: allow, fetch: hanging, timeoutMs: 50 }).search('Patient', {}))).toBe('FHIR_REMOTE_UNAVAILABLE');
    const failing: typeof fetch = async () => new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'db down' }] }), { status: 503 });
    expect(await code(createRemoteFhirSource({ baseUrl, allowOrigins: allow, fetch: failing }).read('Patient', 'x'))).toBe('FHIR_REMOTE_UNAVAILABLE');
    // Without the allow-list the http loopback server is refused before any request (even with a custom fetch).
    expect(await code(Promise.resolve().then(() => createRemoteFhirSource({ baseUrl, fetch: failing }).read('Patient', 'x')))).toBe('FHIR_SERVER_NOT_ALLOWED');
  });
});
