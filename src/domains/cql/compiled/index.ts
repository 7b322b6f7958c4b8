/**
 * The compiled fast path (issue 17, docs/adr/0007): a library's requested defines compiled once into synchronous
 * closures over the plain FHIR JSON, decided per library object (one per catalog version and thread) and per set
 * of requested defines. `runCompiled` returns null when the library is not compiled (the reason is kept, see
 * `compiledStatus`) or when this evaluation bailed (data or a parameter the compiled code cannot vouch for, or any
 * error): the caller then runs cql-execution, which stays the reference, so a result is either cql-execution's
 * own or identical to it (compiledEquality.test.ts compares the two on every Synthea patient).
 */
import type { Bundle } from '@medplum/fhirtypes';
import { ElmCompiler, libModel, type SourceLibrary } from './compile.ts';
import { Bail } from './values.ts';
import { FhirModel, fromSpec, named, Unsupported, type Compiled, type LibModel, type ModelInfo, type Rt, type T } from './types.ts';

export type { SourceLibrary };

/** The evaluation's services, handed in by execute.ts (which owns cql-execution and cql-exec-fhir). */
export interface CompiledServices {
  modelInfo(): ModelInfo;
  findValueSet(id: string, version: string | undefined): { hasMatch(code: unknown): boolean } | null;
}

type Plan = { ok: true; lib: LibModel; defs: Map<string, Compiled>; closure: LibModel[] } | { ok: false; reason: string };

let compiler: ElmCompiler | null = null;
let model: FhirModel | null = null;
const plans = new WeakMap<object, Map<string, Plan>>();
const counts = { compiled: 0, fallback: 0, bailed: 0 };

function closureOf(lib: LibModel, out: LibModel[] = []): LibModel[] {
  if (!out.includes(lib)) {
    out.push(lib);
    for (const inc of lib.includes.values()) closureOf(inc, out);
  }
  return out;
}

/** FHIR primitives and choices never leave the compiled code: cql-execution would hand out FHIRObjects for them. */
function exportable(t: T, m: FhirModel): boolean {
  if (t.k === 'fhir') return !m.isPrimitive(t.name);
  if (t.k === 'list') return exportable(t.el, m);
  if (t.k === 'tuple') return [...t.fields.values()].every((f) => exportable(f, m));
  return t.k !== 'choice';
}

function plan(library: SourceLibrary, names: readonly string[], services: CompiledServices): Plan {
  let byNames = plans.get(library);
  if (!byNames) plans.set(library, (byNames = new Map()));
  const key = names.join('\u0000');
  const hit = byNames.get(key);
  if (hit) return hit;
  let result: Plan;
  try {
    model ??= new FhirModel(services.modelInfo());
    compiler ??= new ElmCompiler(model);
    const lib = libModel(library);
    const defs = new Map<string, Compiled>();
    for (const name of names) {
      const def = lib.defs.get(name);
      if (!def || def.context !== 'Patient') continue;
      const compiled = compiler.define(lib, name);
      if (!exportable(compiled.t, model)) throw new Unsupported(`define ${name} returns FHIR primitives or choices`);
      defs.set(name, compiled);
    }
    result = { ok: true, lib, defs, closure: closureOf(lib) };
  } catch (err) {
    // Unsupported, or anything else the compile hit (an ELM nested too deep for the stack, …): cql-execution decides
    result = { ok: false, reason: err instanceof Unsupported ? err.message : `the compiler failed: ${(err as Error).message}` };
  }
  byNames.set(key, result);
  return result;
}

/** Whether `library` runs compiled for these defines, and if not why (for logs and `rules test`). */
export function compiledStatus(library: SourceLibrary, names: readonly string[], services: CompiledServices): { compiled: true } | { compiled: false; reason: string } {
  const p = plan(library, names, services);
  return p.ok ? { compiled: true } : { compiled: false, reason: p.reason };
}

/** Evaluations answered by compiled code, by cql-execution (library not compiled), and bailed to cql-execution. */
export function compiledCounts(): Readonly<typeof counts> {
  return { ...counts };
}

/**
 * cql-execution's Context.checkParameters, for every library of the closure: it stops at the first null value or
 * undeclared name, and throws for a value of the wrong type — here the evaluation bails when it might throw.
 * `resources` are the parameters cql-execution receives wrapped as FHIR resources.
 */
function checkParameters(libs: LibModel[], params: Record<string, unknown>, resources: ReadonlySet<string>, m: FhirModel): void {
  for (const lib of libs) {
    for (const name of Object.keys(params)) {
      const v = params[name];
      const def = lib.params.get(name);
      if (v == null || !def) break;
      if (def.default != null) throw new Bail(`parameter ${name} has a default`);
      const spec = def.parameterTypeSpecifier ? fromSpec(def.parameterTypeSpecifier) : def.parameterType ? named(def.parameterType) : null;
      if (!spec) continue;
      const fits = resources.has(name)
        ? spec.k === 'fhir' && typeof (v as { resourceType?: unknown }).resourceType === 'string' && m.isA((v as { resourceType: string }).resourceType, spec.name)
        : spec.k === 'list' && spec.el.k === 'tuple' && Array.isArray(v) && v.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row) && Object.values(row).every((x) => x == null || typeof x === 'string'))
          && [...spec.el.fields.values()].every((f) => f.k === 'sys' && f.name === 'String');
      if (!fits) throw new Bail(`parameter ${name} may not match its declared type`);
    }
  }
}

/** A result as cql-execution hands it out: FHIR JSON as a FHIRObject-like {_json} (what toJsonSafe reads). */
function exportValue(v: unknown, t: T): unknown {
  if (v == null) return v;
  if (t.k === 'fhir') return { _json: v };
  if (t.k === 'list') return (v as unknown[]).map((x) => exportValue(x, t.el));
  if (t.k === 'tuple' && [...t.fields.values()].some((f) => f.k !== 'sys' && f.k !== 'null')) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).map((k) => [k, exportValue(o[k], t.fields.get(k) ?? { k: 'other' })]));
  }
  if (t.k === 'other' && typeof v === 'object') throw new Bail('a result of unknown type');
  return v;
}

/**
 * The requested Patient-context defines of `library` for the patient in `bundle`, or null: not compiled, or this
 * evaluation bailed (the caller runs cql-execution). `params` are the raw JSON values.
 */
export function runCompiled(library: SourceLibrary, bundle: Bundle, params: Record<string, unknown>, resourceParams: ReadonlySet<string>, names: readonly string[], services: CompiledServices): Record<string, unknown> | null {
  const p = plan(library, names, services);
  if (!p.ok) {
    counts.fallback++;
    return null;
  }
  try {
    const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is NonNullable<typeof r> => !!r) as unknown as Record<string, unknown>[];
    if (!bundle.entry || !resources.some((r) => r.resourceType === 'Patient')) throw new Bail('no Patient in the bundle');
    checkParameters(p.closure, params, resourceParams, model!);
    const rt: Rt = { resources, byType: new Map(), params, cache: new Map(), findValueSet: services.findValueSet };
    const out: Record<string, unknown> = {};
    for (const [name, def] of p.defs) out[name] = exportValue(def.f(rt, {}), def.t);
    counts.compiled++;
    return out;
  } catch {
    counts.bailed++;
    return null;
  }
}
