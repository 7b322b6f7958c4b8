/**
 * values.ts mirrors cql-execution's comparison code: on every pair of a matrix of CQL values (nulls, strings that
 * differ in case and whitespace, numbers, booleans, Codes that differ in display or system, Concepts, tuples with
 * null fields, lists holding nulls) `equals`, `equivalent`, `contains` and `distinct` answer exactly what
 * cql-execution's own util/comparison.js and elm/list.js answer on the same values built with its own classes.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Code, Concept, contains, distinct, equals, equivalent, PLAIN } from './values.ts';

const require = createRequire(import.meta.url);
const cqlRequire = createRequire(require.resolve('cql-execution'));
const cql = require('cql-execution') as { Code: new (...a: unknown[]) => object; Concept: new (...a: unknown[]) => object };
const cmp = cqlRequire('./util/comparison') as { equals(a: unknown, b: unknown): unknown; equivalent(a: unknown, b: unknown): unknown };
const list = cqlRequire('./elm/list') as { toDistinctList(l: unknown[]): unknown[]; doContains(l: unknown[], x: unknown): boolean };

/** The same value built with cql-execution's classes. */
function theirs(v: unknown): unknown {
  if (v instanceof Code) return new cql.Code(v.code, v.system, v.version, v.display);
  if (v instanceof Concept) return new cql.Concept(v.codes.map(theirs), v.display);
  if (Array.isArray(v)) return v.map(theirs);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, theirs(x)]));
  return v;
}

const S = 'http://snomed.info/sct';
const VALUES: unknown[] = [
  null, undefined, 'a', 'A', ' a', 'a b', 'a\tb', '1', 1, 0, -0, 1.5, true, false,
  new Code('1', S, undefined, undefined), new Code('1', S, undefined, 'one'), new Code('1', 'other', undefined, undefined), new Code('2', S, '2020', 'two'),
  new Concept([new Code('1', S, undefined, undefined)], 'c'), new Concept([new Code('2', S, undefined, undefined), new Code('1', S, undefined, 'x')], undefined), new Concept(null, null),
  { x: 1, y: null }, { x: 1, y: undefined }, { x: 1 }, { x: 'a', y: null }, { x: 'A', y: null }, { x: 1, y: 2 },
  [], [1], [1, null], [1, 2], ['a', 'b'], ['A', 'b'], [new Code('1', S, undefined, undefined)], [null],
];

describe('values.ts = cql-execution on a matrix of values', () => {
  it('equals and equivalent agree on every pair', () => {
    let pairs = 0;
    for (const a of VALUES) {
      for (const b of VALUES) {
        const label = `${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
        expect(equals(a, b), `= ${label}`).toEqual(cmp.equals(theirs(a), theirs(b)));
        // the Equivalent node answers the null cases before calling equivalent (nodes.ts does the same)
        if (a != null && b != null) expect(equivalent(a, b), `~ ${label}`).toEqual(cmp.equivalent(theirs(a), theirs(b)));
        pairs += 1;
      }
    }
    expect(pairs).toBe(VALUES.length ** 2);
  });

  it('contains and distinct agree (which elements are kept, in which order)', () => {
    for (let i = 0; i < VALUES.length; i++) {
      const l = [VALUES[i], ...VALUES.slice(0, i + 1), VALUES[(i * 7) % VALUES.length], VALUES[i]].filter((v) => !(v instanceof Concept));
      const mine = distinct(l, PLAIN);
      const ref = list.toDistinctList(theirs(l) as unknown[]);
      expect(mine.map((v) => JSON.stringify(theirs(v))), `distinct #${i}`).toEqual(ref.map((v) => JSON.stringify(v)));
      for (const x of VALUES) expect(contains(l, x), `contains #${i}`).toBe(list.doContains(theirs(l) as unknown[], theirs(x)));
    }
  });
});
