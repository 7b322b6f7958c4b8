/** Test fixtures: the smallest Synthea bundle of the shared data (70 entries) and a few hand-made orders. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle } from '@medplum/fhirtypes';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';

export const SYNTHEA_DIR = join(SHARED_DATA, 'fhir-r4', 'synthea-r4-smart');
/** Clemente Kreiger: 70 entries (Patient, Organization, Practitioner, 3 Encounters, 1 Condition, 48 Observations, …). */
export const SMALL_SYNTHEA = join(SYNTHEA_DIR, 'Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json.gz');
export const SMALL_PATIENT_ID = 'd78af07c-9cb9-4f31-9b11-c45a28f2eec8';
export const HAS_SYNTHEA = existsSync(SMALL_SYNTHEA);
export const SECOND_SYNTHEA = join(SYNTHEA_DIR, 'Gustavo_Meja_59a8543c-e24f-4a01-b28b-47ccde6bc11d.json.gz');

export function loadSynthea(file = SMALL_SYNTHEA): Bundle {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Bundle;
}
