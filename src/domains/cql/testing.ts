/** Test fixtures for the rule engine: Synthea bundles from the shared data, Coverage and order builders. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle, Condition, Coverage, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { createLogger } from '../../core/logger.ts';
import { openDatabase } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';
import { SHARED_DATA } from '../../ml/__reference__/sharedData.ts';

export const SYNTHEA_DIR = join(SHARED_DATA, 'fhir-r4/synthea-r4-smart');
export const HAS_SYNTHEA = existsSync(SYNTHEA_DIR);

/** Annetta Hoppe: an active chronic sinusitis (SNOMED 40055000). */
export const WITH_SINUSITIS = 'Annetta_Hoppe_';
/** Clemente Kreiger: no sinusitis at all. */
export const WITHOUT_SINUSITIS = 'Clemente_Kreiger_';
/** Adn Pulido: only resolved viral sinusitis episodes (none active). */
export const RESOLVED_SINUSITIS = 'Adn_Pulido_';

export function syntheaBundle(prefix: string): Bundle {
  const file = readdirSync(SYNTHEA_DIR).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no Synthea bundle starting with ${prefix} in ${SYNTHEA_DIR}`);
  return JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, file))).toString('utf8')) as Bundle;
}

export function coverage(planId: string, planName: string, status: Coverage['status'] = 'active'): Coverage {
  return {
    resourceType: 'Coverage',
    id: `cov-${planId}`,
    status,
    beneficiary: { reference: 'Patient/p1' },
    payor: [{ display: 'Acme Health' }],
    class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: planId, name: planName }],
  };
}

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CPT = 'http://www.ama-assn.org/go/cpt';

export function medicationOrder(code = '308182', display = 'amoxicillin 250 MG Oral Capsule'): MedicationRequest {
  return { resourceType: 'MedicationRequest', id: 'draft-med', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }] } };
}

export function serviceOrder(code = '72148', display = 'MRI lumbar spine without contrast'): ServiceRequest {
  return { resourceType: 'ServiceRequest', id: 'draft-svc', status: 'draft', intent: 'order', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: CPT, code, display }] } };
}

/** A minimal patient Bundle with the given conditions (code system + code, clinical status). */
export function patientWith(conditions: { system: string; code: string; status?: string }[]): Bundle {
  const entries: Bundle['entry'] = [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Test', given: ['Pat'] }], gender: 'female', birthDate: '1980-01-01' } }];
  conditions.forEach((c, i) => {
    const cond: Condition = {
      resourceType: 'Condition',
      id: `c${i}`,
      subject: { reference: 'Patient/p1' },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: c.status ?? 'active' }] },
      code: { coding: [{ system: c.system, code: c.code }] },
    };
    entries.push({ resource: cond });
  });
  return { resourceType: 'Bundle', type: 'collection', entry: entries };
}

export async function openTestDb(): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cql-'));
  const db = await openDatabase(`sqlite:${join(dir, 'test.db')}`);
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const silentLogger = createLogger('silent');
