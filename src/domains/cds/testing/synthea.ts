/** Two Synthea patients from the shared data for the CDS tests: one with an active chronic sinusitis, one without. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle } from '@medplum/fhirtypes';
import { SHARED_DATA } from '../../datasets/testing/harness.ts';

const DIR = join(SHARED_DATA, 'fhir-r4', 'synthea-r4-smart');
/** Active chronic sinusitis (SNOMED 40055000). */
export const WITH_SINUSITIS = 'Wiley_Wisoky_0dae4422-bf65-475b-8d93-4c1382168951.json.gz';
/** No sinusitis at all (the smallest bundle). */
export const WITHOUT_SINUSITIS = 'Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json.gz';

export function syntheaMissing(): string | null {
  return existsSync(join(DIR, WITH_SINUSITIS)) && existsSync(join(DIR, WITHOUT_SINUSITIS)) ? null : `Synthea bundles not found under ${DIR}`;
}

export function syntheaPath(file: string): string {
  return join(DIR, file);
}

export function loadSynthea(file: string): Bundle {
  return JSON.parse(gunzipSync(readFileSync(join(DIR, file))).toString('utf8')) as Bundle;
}
