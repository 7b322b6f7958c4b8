/** Date search prefixes (FHIR R4 search, eq ne gt lt ge le sa eb ap) on every configured database. */
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { databaseBackends, skipBackend, type TestDatabase } from '../../storage/testing.ts';
import { createFhirService, type FhirService } from './service.ts';

const BORN = { january: '1980-01-15', february: '1980-02-03', march: '1980-03-20' };

for (const backend of databaseBackends()) {
  describe.skipIf(skipBackend(backend))(`FHIR date search on ${backend.name}`, () => {
    let t: TestDatabase;
    let fhir: FhirService;
    beforeAll(async () => {
      t = await backend.open();
      fhir = createFhirService({ db: t.db, logger: createLogger('silent'), baseUrl: 'http://test/fhir/R4' });
      for (const [id, birthDate] of Object.entries(BORN)) await fhir.update('Patient', id, { resourceType: 'Patient', name: [{ family: 'DateProbe' }], birthDate } as Patient);
    });
    afterAll(async () => t?.cleanup());

    it('compares the searched month with each birth date by its prefix', async () => {
      const found = async (prefix: string) => {
        const bundle = await fhir.search('Patient', { family: 'DateProbe', birthdate: `${prefix}1980-02` });
        return (bundle.entry ?? []).map((e) => e.resource!.id).sort();
      };
      expect(await found('eq')).toEqual(['february']);
      expect(await found('ne')).toEqual(['january', 'march']);
      expect(await found('gt')).toEqual(['march']);
      expect(await found('lt')).toEqual(['january']);
      expect(await found('ge')).toEqual(['february', 'march']);
      expect(await found('le')).toEqual(['february', 'january']);
      expect(await found('sa')).toEqual(['march']);
      expect(await found('eb')).toEqual(['january']);
      expect(await found('ap')).toEqual(['february']);
    });
  });
}
