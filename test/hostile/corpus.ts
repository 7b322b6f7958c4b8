/** The whole corpus, in the order it runs (paths and tokens first: they must find the controls untouched). */
import type { HostileCase } from './case.ts';
import { archiveCases } from './cases/archives.ts';
import { bodyCases } from './cases/bodies.ts';
import { cdsCases } from './cases/cds.ts';
import { endpointCases } from './cases/endpoints.ts';
import { fhirCases } from './cases/fhir.ts';
import { fileCases, formCases } from './cases/files.ts';
import { nameCases } from './cases/names.ts';
import { pathCases } from './cases/paths.ts';
import { tokenCases } from './cases/tokens.ts';
import { uploadCases } from './cases/uploads.ts';

export const corpus: HostileCase[] = [...pathCases, ...tokenCases, ...fileCases, ...formCases, ...uploadCases, ...archiveCases, ...bodyCases, ...fhirCases, ...endpointCases, ...nameCases, ...cdsCases];
