/**
 * Prefetch tokens as FHIRPath (CDS Hooks 2.1 / 3.0 ballot "Simpler FHIRPath", which Da Vinci CRD 2.2's
 * standard prefetch uses): `{{context.draftOrders.entry.resource.ofType(DeviceRequest).code.resolve().id}}`,
 * `{{%practitionerRoles.practitioner.resolve().id}}` (`%key` = the resources an earlier prefetch key returned),
 * `|` unions. Evaluated with fhirpath.js (R4 model); `resolve()` looks references up among the resources the
 * request carries and the prefetch so far (never over the network). Several values are joined with commas
 * (`_id=a,b`); no value leaves the template unfilled.
 */
import { createRequire } from 'node:module';
import type { Resource } from '@medplum/fhirtypes';
import type Fhirpath from 'fhirpath';
import { refKey, type ResourcePool } from './pool.ts';

export interface TokenScope {
  /** `%name` variables: the resources of earlier prefetch keys. */
  vars?: Record<string, Resource[]>;
  /** What `resolve()` can find. */
  pool?: ResourcePool;
}

type Compiled = (resource: unknown, vars?: Record<string, unknown>) => unknown[];
const cache = new Map<string, Compiled | null>();

// fhirpath.js does not export ResourceNode, and user functions get plain values; resolve() must return a
// ResourceNode (made with an R4 evaluation context) for ofType() to see the resource type.
type ResNodeClass = { makeResNode(ctx: unknown, data: unknown, parent: null, path: null, _data: null, type: null): unknown };

interface FhirpathLib {
  fhirpath: typeof Fhirpath;
  r4: Parameters<typeof Fhirpath.compile>[1];
  probe: { constructor: ResNodeClass; ctx: unknown };
}

// fhirpath.js and its R4 model (~0.3 s to load) are required when the first token is evaluated, not at import:
// processes that never fill a prefetch template (most CLI commands) never load them
let loaded: FhirpathLib | null = null;
function lib(): FhirpathLib {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const fhirpath = require('fhirpath') as typeof Fhirpath;
  const r4 = require('fhirpath/fhir-context/r4/index.js') as FhirpathLib['r4'];
  const probe = fhirpath.evaluate({ resourceType: 'Basic' }, '$this', {}, r4, { resolveInternalTypes: false })[0] as FhirpathLib['probe'];
  return (loaded = { fhirpath, r4, probe });
}

let activePool: ResourcePool = new Map();
const resolve = {
  arity: { 0: [] },
  fn: (coll: unknown[]) =>
    coll.flatMap((item) => {
      const node = item as { data?: unknown } | string;
      const v = typeof node === 'object' && node !== null && 'data' in node ? node.data : node;
      const key = refKey(typeof v === 'string' ? v : (v as { reference?: unknown } | null)?.reference);
      const hit = key ? activePool.get(key) : undefined;
      const { probe } = lib();
      return hit ? [probe.constructor.makeResNode(probe.ctx, hit, null, null, null, null)] : [];
    }),
};

function compile(expression: string): Compiled | null {
  if (!cache.has(expression)) {
    let c: Compiled | null = null;
    try {
      const { fhirpath, r4 } = lib();
      c = fhirpath.compile(expression, r4, { userInvocationTable: { resolve } }) as unknown as Compiled;
    } catch {
      c = null; // not FHIRPath: the token has no value
    }
    cache.set(expression, c);
  }
  return cache.get(expression) ?? null;
}

/** The token's value, or null when it is not valid FHIRPath or yields no primitive value. */
export function fhirpathToken(expression: string, context: Record<string, unknown>, scope: TokenScope = {}): string | null {
  const fn = compile(expression);
  if (!fn) return null;
  activePool = scope.pool ?? new Map();
  let out: unknown[];
  try {
    out = fn({ context }, scope.vars ?? {});
  } catch {
    return null;
  } finally {
    activePool = new Map();
  }
  const parts = out.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v)).map(String).filter((s) => s !== '');
  return parts.length ? [...new Set(parts)].join(',') : null;
}
