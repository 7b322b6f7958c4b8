/** Test helpers for the compiled evaluator: the built-in ELM, runnables over it, and a fast-vs-reference run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Coverage, Resource } from '@medplum/fhirtypes';
import type cql from 'cql-execution';
import { loadLibrary } from '../execute.ts';
import { defaultPolicyRows } from '../policy.ts';
import { policyParameterOf, runFindings, runOrder, type LibraryRef } from '../run.ts';
import { LIBRARY_DIR } from '../translate.ts';
import type { PolicyRow } from '../types.ts';
import { compiledCounts } from './index.ts';

export type Elm = Record<string, unknown>;
const BUILTINS = ['AmoxicillinPriorAuth', 'TablePolicy', 'Sinusitis', 'CoverageCommon', 'FHIRHelpers'];

export function builtinElm(): Record<string, Elm> {
  return Object.fromEntries(BUILTINS.map((n) => [n, JSON.parse(readFileSync(join(LIBRARY_DIR, 'elm', `${n}.json`), 'utf8')) as Elm]));
}

/** cql.Library objects by name over `elm` (one per name, as a catalog version has). */
export function runnablesOver(elm: Record<string, Elm>): (name: string) => cql.Library {
  const loaded = new Map<string, cql.Library>();
  return (name) => {
    let lib = loaded.get(name);
    if (!lib) loaded.set(name, (lib = loadLibrary(elm[name]!, elm)));
    return lib;
  };
}

export const ORDER_LIBS: LibraryRef[] = [
  { name: 'AmoxicillinPriorAuth', version: '1.0.0' },
  { name: 'TablePolicy', version: '1.0.0' },
];

export interface Compared {
  fast: string;
  reference: string;
  /** How this run's evaluations went: compiled code answered, the library was not compiled, or it bailed. */
  compiled: number;
  fallback: number;
  bailed: number;
}

function delta(before: ReturnType<typeof compiledCounts>): Pick<Compared, 'compiled' | 'fallback' | 'bailed'> {
  const after = compiledCounts();
  return { compiled: after.compiled - before.compiled, fallback: after.fallback - before.fallback, bailed: after.bailed - before.bailed };
}

/** One order through the fast path (compiled when it can) and the reference path, outcomes as JSON. */
export async function compareOrder(
  runnables: (name: string) => cql.Library,
  input: { bundle: Bundle; order: Resource; coverage: Coverage | null; policy?: PolicyRow[]; libraries?: LibraryRef[] },
): Promise<Compared> {
  const run = { bundle: input.bundle, order: input.order, coverage: input.coverage, policy: policyParameterOf(input.policy ?? defaultPolicyRows()), libraries: input.libraries ?? ORDER_LIBS };
  const before = compiledCounts();
  const fast = JSON.stringify(await runOrder(runnables, run, 'fast'));
  const d = delta(before);
  return { fast, reference: JSON.stringify(await runOrder(runnables, run, 'reference')), ...d };
}

/** Patient-view findings through both paths. */
export async function compareFindings(runnables: (name: string) => cql.Library, bundle: Bundle, libraries: LibraryRef[] = [{ name: 'Sinusitis', version: '1.0.0' }]): Promise<Compared> {
  const before = compiledCounts();
  const fast = JSON.stringify(await runFindings(runnables, bundle, libraries, 'fast'));
  const d = delta(before);
  return { fast, reference: JSON.stringify(await runFindings(runnables, bundle, libraries, 'reference')), ...d };
}
