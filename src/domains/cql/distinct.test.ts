/** fastDistinct keeps exactly the elements (and order) cql-execution's own toDistinctList keeps, and is installed. */
import { createRequire } from 'node:module';
import type { Condition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { fastDistinct, libraryDistinct } from './distinct.ts';
import { wrapResource } from './execute.ts';

const SNOMED = 'http://snomed.info/sct';
const condition = (id: string | undefined, code: string, onset = '2020-01-01T00:00:00Z'): Condition => ({
  resourceType: 'Condition',
  ...(id ? { id } : {}),
  subject: { reference: 'Patient/p1' },
  code: { coding: [{ system: SNOMED, code }] },
  onsetDateTime: onset,
});

describe('fastDistinct', () => {
  it('matches the library on FHIR resources: same JSON, equal copies, other ids, no ids, and reordered keys', () => {
    const a = condition('a', '40055000');
    const noId = condition(undefined, '36971009');
    const reordered = { onsetDateTime: noId.onsetDateTime, code: noId.code, subject: noId.subject, resourceType: 'Condition' } as Condition;
    const lists = [
      [a, a, structuredClone(a), condition('b', '40055000'), condition('a', '444814009')],
      [noId, structuredClone(noId), reordered, condition(undefined, '36971009', '2021-05-05T00:00:00Z'), a, noId],
      // equal instants written in two time zones: the library's keys normalise them, so they are duplicates
      [condition(undefined, '1', '2020-01-01T00:00:00Z'), condition(undefined, '1', '2020-01-01T01:00:00+01:00')],
    ];
    for (const resources of lists) {
      const wrapped = resources.map((r) => wrapResource(r));
      const ours = fastDistinct(wrapped);
      expect(ours).toEqual(libraryDistinct(wrapped)); // same length and order
      ours.forEach((x, i) => expect(x).toBe(libraryDistinct(wrapped)[i]));
    }
  });

  it('hands lists with other values (null, strings, a numeric id) to the library unchanged', () => {
    const odd = wrapResource({ resourceType: 'Condition', id: 7 } as unknown as Condition);
    for (const items of [[null, null, 'x', 'x'], ['a', 'b', 'a'], [odd, odd]]) expect(fastDistinct(items)).toEqual(libraryDistinct(items));
  });

  it('is what cql-execution queries and unions use once the engine is loaded', () => {
    const cqlRequire = createRequire(createRequire(import.meta.url).resolve('cql-execution'));
    expect((cqlRequire('./elm/list') as { toDistinctList: unknown }).toDistinctList).toBe(fastDistinct);
  });
});
