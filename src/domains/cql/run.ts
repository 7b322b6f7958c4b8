/**
 * The CQL part of a decision, shared by the inline engine and the rule worker threads (worker.ts): run the chosen
 * libraries on one patient Bundle and turn each "Decision" tuple (or "Findings" list) into plain JSON. Both paths
 * call these functions with their own compiled libraries, so pooled and inline decisions are the same by
 * construction; only the merge (engine.ts) runs on the main thread.
 */
import type cql from 'cql-execution';
import type { Bundle, Coverage, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import { billingCodes, decisionFromTuple, findings } from './decisions.ts';
import { compiledStatus, runCompiled, type SourceLibrary } from './compiled/index.ts';
import { compiledServices, runExpressions, runLibrary, wrapResource } from './execute.ts';
import { policyParameter } from './policy.ts';
import type { CoverageDecision, PatientViewFinding, PolicyRow } from './types.ts';

/** A library as a run names it (the decision's audit trail records name and version). */
export interface LibraryRef {
  name: string;
  version: string;
}

/** One library's answer for one order: its decision (null: the rule does not apply) or why it failed. */
export type OrderOutcome = { decision: CoverageDecision | null } | { error: string };
export type FindingsOutcome = { findings: PatientViewFinding[] } | { error: string };

/** Compiled libraries by name (the engine's registry, or a worker's cache for one catalog version). */
export type Runnables = (name: string) => cql.Library;

/** The policy table as the CQL "Policy" parameter (policy.ts `policyParameter`), built once per policy version. */
export type PolicyParameter = readonly Readonly<Record<string, string | null>>[];

export interface OrderRun {
  bundle: Bundle;
  order: Resource;
  coverage: Coverage | null;
  policy: PolicyParameter;
  libraries: LibraryRef[];
}

/**
 * The "Policy" parameter for one policy version, frozen: it is shared by every evaluation of that version (inline,
 * or a rule thread's copy), so no run can change what the next one reads.
 */
export function policyParameterOf(rows: PolicyRow[]): PolicyParameter {
  return frozenPolicy(policyParameter(rows));
}

/** Freezes the "Policy" parameter's rows and list (the engine's own, or a rule thread's parsed copy). */
export function frozenPolicy(rows: readonly Record<string, string | null>[]): PolicyParameter {
  return Object.freeze(rows.map((r) => Object.freeze(r)));
}

/** The message the engine has always reported for a library that throws while running. */
function failure(lib: LibraryRef, err: unknown): string {
  return err instanceof AppError ? err.message : `Library ${lib.name} failed on this patient: ${(err as Error).message}`;
}

/** The only defines a decision reads: an order rule's "Decision" and "Billing Codes", a patient rule's "Findings". */
export const ORDER_EXPRESSIONS = ['Decision', 'Billing Codes'] as const;
export const FINDINGS_EXPRESSIONS = ['Findings'] as const;

/** The defines a library is evaluated for on the CDS path: an order rule's, or (any other kind) a patient rule's. */
export function expressionsFor(kind: string): readonly string[] {
  return kind === 'order' ? ORDER_EXPRESSIONS : FINDINGS_EXPRESSIONS;
}

/**
 * How a run evaluates a library: `fast` (the CDS path) evaluates only the defines the decision reads; `reference`
 * evaluates every define with cql-execution's own Executor, as `rules test` does (tests compare the two).
 */
export type RunMode = 'fast' | 'reference';

/** The parameters cql-execution receives wrapped as FHIR resources (the compiled path reads their JSON). */
const RESOURCE_PARAMS: ReadonlySet<string> = new Set(['Order', 'Coverage']);

/**
 * The parameters of one run: raw JSON for the compiled evaluator, and cql-execution's (FHIR resources wrapped),
 * made only if some library needs them and then shared by the run's libraries.
 */
class RunParams {
  private wrappedParams: Record<string, unknown> | null = null;
  constructor(readonly raw: Record<string, unknown>) {}
  wrapped(): Record<string, unknown> {
    return (this.wrappedParams ??= Object.fromEntries(Object.entries(this.raw).map(([k, v]) => [k, RESOURCE_PARAMS.has(k) && v != null ? wrapResource(v as Resource) : v])));
  }
}

async function results(runnables: Runnables, lib: LibraryRef, bundle: Bundle, params: RunParams, names: readonly string[], mode: RunMode): Promise<Record<string, unknown>> {
  // runnables() throws CQL_ELM_INVALID for a library cql-execution cannot load; that message is kept as is.
  const library = runnables(lib.name);
  if (mode === 'reference') return runLibrary(library, bundle, params.wrapped());
  // the compiled evaluator (compiled/) answers when it supports the library and vouches for this evaluation;
  // otherwise cql-execution does, as before
  const compiled = runCompiled(library as unknown as SourceLibrary, bundle, params.raw, RESOURCE_PARAMS, names, compiledServices);
  return compiled ?? runExpressions(library, bundle, params.wrapped(), names);
}

/** Every library's outcome for one order, in the order of `libraries`. */
export async function runOrder(runnables: Runnables, run: OrderRun, mode: RunMode = 'fast'): Promise<OrderOutcome[]> {
  const params = new RunParams({ Order: run.order, Coverage: run.coverage ?? null, Policy: run.policy });
  return Promise.all(
    run.libraries.map(async (lib): Promise<OrderOutcome> => {
      try {
        const r = await results(runnables, lib, run.bundle, params, ORDER_EXPRESSIONS, mode);
        return { decision: decisionFromTuple(r.Decision, lib, run.order, run.coverage, billingCodes(r)) };
      } catch (err) {
        return { error: failure(lib, err) };
      }
    }),
  );
}

/** Every patient library's findings for patient-view, in the order of `libraries`. */
export async function runFindings(runnables: Runnables, bundle: Bundle, libraries: LibraryRef[], mode: RunMode = 'fast'): Promise<FindingsOutcome[]> {
  return Promise.all(
    libraries.map(async (lib): Promise<FindingsOutcome> => {
      try {
        const r = await results(runnables, lib, bundle, new RunParams({ Order: null, Coverage: null, Policy: [] }), FINDINGS_EXPRESSIONS, mode);
        return { findings: findings(r.Findings, lib.name) };
      } catch (err) {
        return { error: failure(lib, err) };
      }
    }),
  );
}

/** A library the compiled evaluator does not cover (for these defines): it runs on cql-execution. */
export interface NotCompiled {
  library: string;
  version: string;
  reason: string;
}

/**
 * `notCompiled` for the libraries of `kind` whose key `reported` has not seen yet (they are marked seen), so each is
 * reported once: inline per library version (engine.ts), on a rule thread per catalog version (worker.ts).
 */
export function notCompiledOnce<L extends LibraryRef>(runnables: Runnables, kind: 'order' | 'findings', libraries: readonly L[], reported: Set<string>, keyOf: (l: L) => string): NotCompiled[] {
  const fresh = libraries.filter((l) => !reported.has(keyOf(l)));
  for (const l of fresh) reported.add(keyOf(l));
  return fresh.length === 0 ? [] : notCompiled(runnables, fresh, expressionsFor(kind));
}

/** Which of `libraries` run on cql-execution rather than compiled, and why (decided once per library object). */
export function notCompiled(runnables: Runnables, libraries: readonly LibraryRef[], names: readonly string[]): NotCompiled[] {
  const out: NotCompiled[] = [];
  for (const lib of libraries) {
    let library: cql.Library;
    try {
      library = runnables(lib.name);
    } catch {
      continue; // a library that cannot be loaded is reported as its outcome's error
    }
    const status = compiledStatus(library as unknown as SourceLibrary, names, compiledServices);
    if (!status.compiled) out.push({ library: lib.name, version: lib.version, reason: status.reason });
  }
  return out;
}
