/**
 * The compiled evaluator's runtime values and cql-execution 3.3.2's comparison rules on them, mirrored line by line
 * from its util/comparison.js (equals, equivalent), datatypes/clinical.js (Code, Concept, hasMatch) and
 * elm/list.js (toDistinctList, doContains), so that an operator gives exactly the library's answer, nulls and
 * quirks included. FHIR data stays plain JSON; whatever these functions cannot vouch for throws `Bail`, and the
 * library is then evaluated by cql-execution instead (compiled/index.ts).
 */

/** The compiled evaluator cannot vouch for this case: cql-execution evaluates the library instead. */
export class Bail extends Error {
  constructor(why: string) {
    super(`compiled CQL evaluator: ${why}`);
  }
}

type CodeLike = { code?: unknown; system?: unknown };

function toCodeList(c: unknown): unknown[] {
  if (c == null) return [];
  if (Array.isArray(c)) return c.flatMap(toCodeList);
  const codes = (c as { codes?: unknown }).codes;
  return Array.isArray(codes) ? codes : [c];
}

function codesMatch(a: CodeLike, b: CodeLike): boolean {
  return a.code === b.code && a.system === b.system;
}

export function codesInList(cl1: unknown[], cl2: unknown[]): boolean {
  return cl1.some((c1) => cl2.some((c2) => (typeof c1 === 'string' ? c1 === (c2 as CodeLike).code : codesMatch(c1 as CodeLike, c2 as CodeLike))));
}

/** System.Code: the same own properties, in the same order, as cql-execution's Code. */
export class Code {
  constructor(
    public code: unknown,
    public system: unknown,
    public version: unknown,
    public display: unknown,
  ) {}
  get isCode(): boolean {
    return true;
  }
  hasMatch(code: unknown): boolean {
    if (typeof code === 'string') return code === this.code;
    return codesInList(toCodeList(code), [this]);
  }
}

/** System.Concept, as cql-execution's Concept (a null `codes` becomes []). */
export class Concept {
  codes: unknown[];
  display: unknown;
  constructor(codes: unknown, display: unknown) {
    this.codes = (codes as unknown[]) || [];
    this.display = display;
  }
  get isConcept(): boolean {
    return true;
  }
  hasMatch(code: unknown): boolean {
    return codesInList(toCodeList(code), this.codes);
  }
}

/** A FHIR choice element's value (`medication[x]`) with the type the data chose; only `As` may open it. */
export class Choice {
  constructor(
    readonly type: string,
    readonly value: unknown,
  ) {}
}

const classOf = (x: unknown): string => Object.prototype.toString.call(x);
type Cmp = (a: unknown, b: unknown) => boolean | null;

function everyItem(a: unknown[], b: unknown[], cmp: Cmp): boolean {
  return a.length === b.length && a.every((item, i) => cmp(item, b[i]));
}

function compareObjects(a: object, b: object, cmp: Cmp): boolean | null {
  if (!(b instanceof a.constructor && a instanceof b.constructor)) return false;
  const keys = (o: object) => Object.keys(o).filter((k) => typeof (o as Record<string, unknown>)[k] !== 'function').sort();
  const ak = keys(a);
  const bk = keys(b);
  if (ak.length !== bk.length || !ak.every((k, i) => k === bk[i])) return false;
  let sawNull = false;
  const all = ak.every((k) => {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (x == null && y == null) return true;
    const r = cmp(x, y);
    if (r === null) {
      sawNull = true;
      return true;
    }
    return r;
  });
  return all && sawNull ? null : all;
}

function noChoice(a: unknown, b: unknown): void {
  if (a instanceof Choice || b instanceof Choice) throw new Bail('a FHIR choice value was compared');
}

/** CQL `=` as cql-execution computes it on these values (FHIR data never reaches it: the compiler refuses those types). */
export function equals(a: unknown, b: unknown): boolean | null {
  if (a == null || b == null) return null;
  noChoice(a, b);
  if ((typeof a === typeof b && typeof a === 'string') || typeof a === 'number' || typeof a === 'boolean') return a === b;
  const ac = classOf(a);
  if (ac !== classOf(b)) return false;
  if (ac === '[object Array]') {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.indexOf(null) >= 0 || x.indexOf(undefined) >= 0 || y.indexOf(null) >= 0 || y.indexOf(undefined) >= 0) return null;
    return everyItem(x, y, equals);
  }
  if (ac === '[object Object]') return compareObjects(a as object, b as object, equals);
  return false;
}

/** CQL `~` as cql-execution computes it (after its Equivalent node's null checks). */
export function equivalent(a: unknown, b: unknown): boolean | null {
  if (a == null && b == null) return true;
  if (a == null || b == null) return false;
  noChoice(a, b);
  const m = (a as { hasMatch?: unknown }).hasMatch;
  if (m && typeof m === 'function') return (a as Code).hasMatch(b);
  const ac = classOf(a);
  if (ac === '[object Array]') return everyItem(a as unknown[], b as unknown[], equivalent);
  if (ac === '[object Object]') return compareObjects(a as object, b as object, equivalent);
  if (ac === '[object String]' && classOf(b) === '[object String]') {
    return (a as string).replace(/\s/g, ' ').localeCompare((b as string).replace(/\s/g, ' '), 'en', { sensitivity: 'base' }) === 0;
  }
  return equals(a, b);
}

/** `item in list`: cql-execution's doContains. */
export function contains(list: unknown[], item: unknown): boolean {
  return list.some((el) => equals(el, item) || (el == null && item == null));
}

/**
 * How a value is shaped for `distinct`: `fhir` marks FHIR JSON (compared, as cql-execution's FHIRObject keys are,
 * by content); `plain` is everything built by CQL itself. The compiler passes the static type's shape.
 */
export type Shape = { k: 'fhir' } | { k: 'plain' } | { k: 'list'; el: Shape } | { k: 'tuple'; fields: Map<string, Shape> };
export const PLAIN: Shape = { k: 'plain' };

/**
 * The identity cql-execution's toDistinctList gives a value (its Immutable.js normalised key), as a string. FHIR
 * JSON is keyed by its `id` (part of every FHIRObject's key): two different objects with the same id (or both
 * without one) would need the library's whole-content comparison, so they bail instead.
 */
function keyOf(v: unknown, shape: Shape, seen: Map<string, unknown>): string {
  if (v == null) return 'n';
  noChoice(v, null);
  if (shape.k === 'fhir') {
    if (typeof v !== 'object') return `P${typeof v}:${JSON.stringify(v)}`;
    const id = (v as { id?: unknown }).id;
    if (id !== undefined && typeof id !== 'string') throw new Bail('distinct over FHIR data with a non-string id');
    const key = id === undefined ? 'F' : `F#${id}`;
    const before = seen.get(key);
    if (before !== undefined && before !== v) throw new Bail('distinct over FHIR data with a repeated id');
    seen.set(key, v);
    return key;
  }
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'dNaN' : `d${v === 0 ? 0 : v}`;
  if (typeof v === 'boolean') return `b${v}`;
  if (Array.isArray(v)) return `[${v.map((x) => keyOf(x, shape.k === 'list' ? shape.el : PLAIN, seen)).join(',')}]`;
  if (v instanceof Code) return `C{${[v.code, v.system, v.version, v.display].map((x) => keyOf(x, PLAIN, seen)).join(',')}}`;
  // a tuple (cql-execution keys a plain object by its own keys); a Concept is keyed through Immutable's Seq over a
  // class instance, which is not mirrored here: it bails like any other kind
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    const fields = shape.k === 'tuple' ? shape.fields : null;
    const parts = Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${keyOf(o[k], fields?.get(k) ?? PLAIN, seen)}`);
    return `T{${parts.join(',')}}`;
  }
  throw new Bail('distinct over a value of an unsupported kind');
}

/** cql-execution's toDistinctList: the first of each group of equal elements, in order. */
export function distinct(list: unknown[], el: Shape): unknown[] {
  if (list.length < 2) return list.slice(); // nothing to compare (the common case: one coding, one row)
  const seen = new Map<string, unknown>();
  const keys = new Set<string>();
  const out: unknown[] = [];
  for (const item of list) {
    const key = keyOf(item, el, seen);
    if (!keys.has(key)) {
      keys.add(key);
      out.push(item);
    }
  }
  return out;
}
