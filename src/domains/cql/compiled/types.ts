/**
 * Static types for the compiled evaluator (from the ELM's type specifiers and the FHIR 4.0.1 model info), the
 * contract between the compiler (compile.ts) and the node compilers (nodes.ts, query.ts), and the FHIR model facts
 * the compiler needs: which types are primitives (their JSON value is the value itself), element types and
 * choices, and the class hierarchy (`As`). The model info is cql-exec-fhir's own, so both evaluators see the
 * same model.
 */
import { Bail, type Shape } from './values.ts';

/** A static type: System (`sys`), FHIR (`fhir`, name without namespace: `Coverage.Class`), list, tuple, choice. */
export type T =
  | { k: 'sys'; name: string }
  | { k: 'fhir'; name: string }
  | { k: 'list'; el: T }
  | { k: 'tuple'; fields: Map<string, T> }
  | { k: 'choice'; of: T[] }
  | { k: 'null' }
  | { k: 'other' };

export const NULL_T: T = { k: 'null' };
export const OTHER: T = { k: 'other' };
export const sys = (name: string): T => ({ k: 'sys', name });

const SYS_NS = '{urn:hl7-org:elm-types:r1}';
const FHIR_NS = '{http://hl7.org/fhir}';

/** An ELM node or declaration as JSON. */
export type Elm = Record<string, unknown> & { type?: string };

export function named(name: unknown): T {
  if (typeof name !== 'string') return OTHER;
  if (name.startsWith(SYS_NS)) return sys(name.slice(SYS_NS.length));
  if (name.startsWith(FHIR_NS)) return { k: 'fhir', name: name.slice(FHIR_NS.length) };
  return OTHER;
}

export function fromSpec(spec: unknown): T {
  const s = spec as Elm | undefined;
  if (!s) return OTHER;
  switch (s.type) {
    case 'NamedTypeSpecifier':
      return named(s.name);
    case 'ListTypeSpecifier':
      return { k: 'list', el: fromSpec(s.elementType) };
    case 'TupleTypeSpecifier':
      return { k: 'tuple', fields: new Map(((s.element ?? []) as Elm[]).map((e) => [String(e.name), fromSpec(e.elementType ?? e.type)])) };
    case 'ChoiceTypeSpecifier':
      return { k: 'choice', of: ((s.choice ?? []) as Elm[]).map(fromSpec) };
    default:
      return OTHER;
  }
}

/** The type the translator annotated on a node (EnableResultTypes), or `other`. */
export function declared(node: Elm): T {
  if (node.resultTypeSpecifier) return fromSpec(node.resultTypeSpecifier);
  return node.resultTypeName ? named(node.resultTypeName) : OTHER;
}

/** True when a value of this type is made by CQL alone (no FHIR JSON, no unknowns): equality is then exact. */
export function plainType(t: T): boolean {
  switch (t.k) {
    case 'sys':
      return t.name !== 'Any';
    case 'null':
      return true;
    case 'list':
      return plainType(t.el);
    case 'tuple':
      return [...t.fields.values()].every(plainType);
    default:
      return false;
  }
}

/** How `distinct` must treat values of this type (values.ts); `other` values bail at run time if they are objects. */
export function shapeOf(t: T): Shape {
  if (t.k === 'fhir') return { k: 'fhir' };
  if (t.k === 'list') return { k: 'list', el: shapeOf(t.el) };
  if (t.k === 'tuple') return { k: 'tuple', fields: new Map([...t.fields].map(([n, f]) => [n, shapeOf(f)])) };
  return { k: 'plain' };
}

/** cql-exec-fhir's model info, as far as the compiler reads it. */
export interface TypeSpec {
  isNamed?: boolean;
  isList?: boolean;
  isChoice?: boolean;
  namespace?: string;
  name?: string;
  fqn?: string;
  elementType?: TypeSpec;
  choices?: TypeSpec[];
}
export interface ClassInfo {
  name: string;
  elements: { name: string; typeSpecifier: TypeSpec }[];
  baseTypeSpecifier?: TypeSpec;
  findElement(name: string, explicitChoices?: boolean): { name: string; typeSpecifier: TypeSpec } | undefined;
  parentClasses(): ClassInfo[];
}
export interface ModelInfo {
  findClass(name: string): ClassInfo | undefined;
}

/** FHIR model questions, memoised (one per process: the model info never changes). */
export class FhirModel {
  private readonly hierarchies = new Map<string, Set<string> | null>();
  constructor(private readonly info: ModelInfo) {}

  classOf(name: string): ClassInfo | undefined {
    return this.info.findClass(`FHIR.${name}`);
  }

  /** Class name and every parent's (`Condition`, `DomainResource`, `Resource`), or null for an unknown type. */
  hierarchy(name: string): Set<string> | null {
    let h = this.hierarchies.get(name);
    if (h === undefined) {
      const c = this.classOf(name);
      h = c ? new Set([c.name, ...c.parentClasses().map((p) => p.name)]) : null;
      this.hierarchies.set(name, h);
    }
    return h;
  }

  isResource(name: string): boolean {
    return this.hierarchy(name)?.has('Resource') ?? false;
  }

  /** cql-exec-fhir's isFHIRPrimitiveOrListOfFHIRPrimitives for one named FHIR type: its JSON value is the value. */
  isPrimitive(name: string): boolean {
    if (name[0] === name[0]?.toLowerCase()) return true;
    const c = this.classOf(name);
    if (!c || c.baseTypeSpecifier?.fqn !== 'FHIR.Element' || c.elements.length !== 1) return false;
    return c.findElement('value')?.typeSpecifier.fqn === 'System.String';
  }

  /** Does a FHIR value whose runtime type is `actual` pass `As`/`is` of FHIR type `target`? (FHIRObject._is) */
  isA(actual: string, target: string): boolean {
    const h = this.hierarchy(actual);
    if (!h) throw new Bail(`FHIR type ${actual} is not in the model`);
    return h.has(target);
  }
}

/** A model type specifier (an element's type) as a static type. */
export function fromModel(ts: TypeSpec): T {
  if (ts.isList && ts.elementType) return { k: 'list', el: fromModel(ts.elementType) };
  if (ts.isChoice) return { k: 'choice', of: (ts.choices ?? []).map(fromModel) };
  if (ts.isNamed && ts.namespace === 'System') return sys(String(ts.name));
  if (ts.isNamed && ts.namespace === 'FHIR') return { k: 'fhir', name: String(ts.name) };
  return OTHER;
}

/** One evaluation: the patient's resources, the parameters, define values computed so far. */
export interface Rt {
  resources: readonly Record<string, unknown>[];
  byType: Map<string, Record<string, unknown>[]>;
  params: Record<string, unknown>;
  cache: Map<object, unknown>;
  findValueSet(id: string, version: string | undefined): { hasMatch(code: unknown): boolean } | null;
}
/** Local names in scope: query aliases, lets, function operands. */
export type Env = Record<string, unknown>;
export type Fn = (rt: Rt, env: Env) => unknown;
export interface Compiled {
  f: Fn;
  t: T;
}

/** The compiler refuses this library: it runs on cql-execution (the reason is recorded). */
export class Unsupported extends Error {}

/** A library and its includes, indexed once. */
export interface LibModel {
  name: string;
  includes: Map<string, LibModel>;
  defs: Map<string, Elm>;
  fns: Map<string, Elm[]>;
  params: Map<string, Elm>;
  codes: Map<string, Elm>;
  codeSystems: Map<string, Elm>;
  valueSets: Map<string, Elm>;
}

/** Where a node is compiled: its library and the local names (with types) visible there. */
export interface Scope {
  lib: LibModel;
  locals: Map<string, T>;
}

/** What node compilers may ask of the compiler. */
export interface Compiler {
  readonly model: FhirModel;
  node(json: unknown, scope: Scope): Compiled;
  /** The library a `libraryName` names (or the scope's own). */
  library(scope: Scope, libraryName: unknown): LibModel;
}
