/**
 * What one hook call is about: the CRD configuration the client sent, the orders in scope (draft orders,
 * selections, appointments, or order-dispatch's orders named by reference), and the patient's primary coverage.
 */
import type { Coverage, Resource } from '@medplum/fhirtypes';
import { ORDER_TYPES, type FixedOutcome } from './crd.ts';
import type { ResourcePool } from './pool.ts';
import type { HookRequest } from './types.ts';

export function refOf(r: Resource): string {
  return `${r.resourceType}/${r.id ?? ''}`;
}

/** CRD configuration the client sent (`extension["davinci-crd.configuration"]`), with the advertised defaults. */
export function crdConfiguration(extension: Record<string, unknown> | undefined): { coverageInfo: boolean; clinicalReminder: boolean; maxCards: number } {
  const c = (extension?.['davinci-crd.configuration'] ?? {}) as Record<string, unknown>;
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const max = typeof c['max-cards'] === 'number' && Number.isInteger(c['max-cards']) && c['max-cards'] >= 0 ? c['max-cards'] : 10;
  return { coverageInfo: bool(c['coverage-info'], true), clinicalReminder: bool(c['clinical-reminder'], true), maxCards: max };
}

/**
 * The orders a hook call is about: all draft orders (order-sign), the selected ones (order-select), the
 * appointments, or the dispatched orders found in `pool` (order-dispatch; `missing` lists those not found).
 */
export function ordersInScope(hook: string, context: HookRequest['context'], pool: ResourcePool = new Map()): { orders: Resource[]; missing: string[] } {
  if (hook === 'order-dispatch') {
    const refs = [...new Set(context.dispatchedOrders ?? [])];
    return { orders: refs.map((r) => pool.get(r)).filter((r): r is Resource => !!r), missing: refs.filter((r) => !pool.has(r)) };
  }
  return { orders: draftsInScope(hook, context), missing: [] };
}

function draftsInScope(hook: string, context: HookRequest['context']): Resource[] {
  if (hook === 'appointment-book') {
    const entries = (context.appointments?.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
    const byRef = new Map(entries.map((r) => [refOf(r), r]));
    // CRD: when an Appointment is basedOn a ServiceRequest (in the bundle), the ServiceRequest gets the coverage information.
    const out: Resource[] = [];
    for (const r of entries) {
      if (r.resourceType !== 'Appointment') continue;
      const based = (r.basedOn ?? []).map((b) => byRef.get(b.reference ?? '')).find((x) => x?.resourceType === 'ServiceRequest');
      out.push(based ?? r);
    }
    return out;
  }
  const drafts = (context.draftOrders?.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r && ORDER_TYPES.has(r.resourceType));
  if (hook === 'order-select') {
    const selected = new Set(context.selections ?? []);
    return drafts.filter((r) => selected.has(refOf(r)));
  }
  return drafts;
}

/** The patient's primary active coverage, or why there is none (CRD dev-28: exactly one, the primary). */
export function pickCoverage(resources: Resource[]): { coverage: Coverage } | { outcome: FixedOutcome; detail: string } {
  const all = resources.filter((r): r is Coverage => r.resourceType === 'Coverage');
  const active = all.filter((c) => c.status === undefined || c.status === 'active');
  if (active.length === 0) return all.length ? { outcome: 'no-active-coverage', detail: 'Coverage records exist but none is active.' } : { outcome: 'coverage-not-found', detail: 'No Coverage was found for the patient.' };
  if (active.length === 1) return { coverage: active[0]! };
  const order = (c: Coverage) => c.order ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...active].sort((a, b) => order(a) - order(b));
  if (order(sorted[0]!) < order(sorted[1]!)) return { coverage: sorted[0]! };
  return { outcome: 'coverage-not-found', detail: `${active.length} active coverages and none is marked primary (Coverage.order).` };
}

