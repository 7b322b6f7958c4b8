/**
 * A faster, exact `toDistinctList` for cql-execution (used by every query `return` and every `union`). The library
 * builds an Immutable.js value key for each element; for a cql-exec-fhir FHIRObject that key reads every element
 * of the resource through its getters, wrapping the whole resource tree again: ~12 % of an order-sign
 * evaluation. Here FHIRObjects are first grouped by their resource `id` — two objects with different ids (or one
 * with and one without) can never have equal keys, since `id` is one of the elements the key is built from — and
 * the library's own key and equality (Immutable.is) are computed only inside a group of two or more, unless both
 * wrap the very same JSON with the same type (then their keys are equal by construction). Lists with anything
 * else in them (nulls, codes, tuples, a non-string id) go to the library's function unchanged, so the result —
 * which elements are kept, and in which order — is always the library's.
 */
import { createRequire } from 'node:module';

interface ListModule {
  toDistinctList(list: unknown[]): unknown[];
}
interface FhirObjectLike {
  _json: { id?: unknown } | null;
  _typeInfo: unknown;
  _modelInfo: unknown;
  _typeHierarchy(): unknown;
}

interface Library {
  list: ListModule;
  /** cql-execution's own toDistinctList, as loaded (before installFastDistinct replaces it). */
  original: (items: unknown[]) => unknown[];
  toNormalizedKey(x: unknown): unknown;
  is(a: unknown, b: unknown): boolean;
}

// cql-execution is loaded on first use, not when this module is imported: processes that never evaluate a rule
// (most CLI commands) do not pay for it
let loaded: Library | null = null;
function cqlLib(): Library {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const cqlRequire = createRequire(require.resolve('cql-execution'));
  const list = cqlRequire('./elm/list') as ListModule;
  const { toNormalizedKey } = cqlRequire('./util/immutableUtil') as { toNormalizedKey(x: unknown): unknown };
  const { is } = createRequire(cqlRequire.resolve('./elm/list'))('immutable') as { is(a: unknown, b: unknown): boolean };
  return (loaded = { list, original: list.toDistinctList, toNormalizedKey, is });
}

function isFhirObject(x: unknown): x is FhirObjectLike {
  return x !== null && typeof x === 'object' && '_json' in x && typeof (x as { _typeHierarchy?: unknown })._typeHierarchy === 'function';
}

/** The bucket of an element, or null when this fast path cannot vouch for it. */
function bucketOf(x: unknown): string | null {
  if (!isFhirObject(x)) return null;
  const id = x._json?.id;
  if (id === undefined) return '';
  return typeof id === 'string' ? `#${id}` : null;
}

interface Kept {
  item: FhirObjectLike;
  key?: unknown;
}

/** cql-execution's own toDistinctList, as loaded (before installFastDistinct replaces it). */
export function libraryDistinct(items: unknown[]): unknown[] {
  return cqlLib().original(items);
}

/** The same elements, in the same order, as libraryDistinct(items). */
export function fastDistinct(items: unknown[]): unknown[] {
  const buckets = items.map(bucketOf);
  if (buckets.some((b) => b === null)) return libraryDistinct(items);
  const { toNormalizedKey, is } = cqlLib();
  const groups = new Map<string, Kept[]>();
  const out: unknown[] = [];
  items.forEach((raw, i) => {
    const item = raw as FhirObjectLike;
    const group = groups.get(buckets[i]!);
    if (!group) {
      groups.set(buckets[i]!, [{ item }]);
      out.push(item);
      return;
    }
    let key: unknown;
    const keyOf = () => (key ??= toNormalizedKey(item));
    const dup = group.some((k) => {
      if (k.item._json === item._json && k.item._typeInfo === item._typeInfo && k.item._modelInfo === item._modelInfo) return true;
      k.key ??= toNormalizedKey(k.item);
      return is(k.key, keyOf());
    });
    if (!dup) {
      group.push({ item, key: keyOf() });
      out.push(item);
    }
  });
  return out;
}

/** Every query and union of cql-execution (in this thread) uses fastDistinct from now on. */
export function installFastDistinct(): void {
  cqlLib().list.toDistinctList = fastDistinct;
}
