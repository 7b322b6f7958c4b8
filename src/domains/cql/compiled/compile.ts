/**
 * The ELM compiler: turns a library's defines into synchronous closures, once per library object (i.e. per catalog
 * version and thread). Defines and functions are compiled on first reference, so only what the requested defines
 * reach is compiled (FHIRHelpers' 264 functions cost nothing when two are used). A reference back to a define or
 * function still being compiled (recursion), an overloaded function, a parameter default or any node outside
 * nodes.ts / access.ts / query.ts makes the compile fail with Unsupported: the library then runs on cql-execution.
 */
import { access } from './access.ts';
import { operators, type NodeCompiler } from './nodes.ts';
import { queries } from './query.ts';
import { Bail } from './values.ts';
import { fromSpec, named, Unsupported, type Compiled, type Compiler, type Elm, type Env, type FhirModel, type Fn, type LibModel, type Scope, type T } from './types.ts';

/** A define or function being (or done) compiled; `f` is filled in when its body is. */
interface Slot {
  f: Fn | null;
  t: T;
}

const EMPTY: Env = Object.freeze({}) as Env;

/** The ELM library shape the compiler reads (cql-execution's Library keeps it as `source`). */
export interface ElmLibrary {
  library: {
    identifier?: { id?: string };
    includes?: { def?: Elm[] };
    statements?: { def?: Elm[] };
    parameters?: { def?: Elm[] };
    codes?: { def?: Elm[] };
    codeSystems?: { def?: Elm[] };
    valueSets?: { def?: Elm[] };
  };
}

function byName(defs: Elm[] | undefined): Map<string, Elm> {
  return new Map((defs ?? []).map((d) => [String(d.name), d]));
}

/** A library as cql-execution loaded it: its ELM, and its includes resolved by its Repository. */
export interface SourceLibrary {
  source: ElmLibrary;
  includes: Record<string, SourceLibrary | undefined>;
}

/** Index one library and its includes (resolved exactly as cql-execution resolved them). */
export function libModel(src: SourceLibrary, depth = 0): LibModel {
  if (depth > 16) throw new Unsupported('includes nested more than 16 deep');
  const l = src.source.library;
  const fns = new Map<string, Elm[]>();
  const defs = new Map<string, Elm>();
  for (const d of l.statements?.def ?? []) {
    if (d.type === 'FunctionDef') fns.set(String(d.name), [...(fns.get(String(d.name)) ?? []), d]);
    else defs.set(String(d.name), d);
  }
  const includes = new Map<string, LibModel>();
  for (const inc of l.includes?.def ?? []) {
    const target = src.includes?.[String(inc.localIdentifier)];
    if (!target?.source) throw new Unsupported(`include ${String(inc.path)} is not resolved`);
    includes.set(String(inc.localIdentifier), libModel(target, depth + 1));
  }
  return {
    name: String(l.identifier?.id ?? ''),
    includes,
    defs,
    fns,
    params: byName(l.parameters?.def),
    codes: byName(l.codes?.def),
    codeSystems: byName(l.codeSystems?.def),
    valueSets: byName(l.valueSets?.def),
  };
}

const operandsOf = (n: Elm): Elm[] => (Array.isArray(n.operand) ? (n.operand as Elm[]) : []);

export class ElmCompiler implements Compiler {
  /** Compiled defines and functions by their ELM object (weak: a replaced catalog's ELM is collected). */
  private readonly slots = new WeakMap<Elm, Slot>();
  private readonly handlers: Record<string, NodeCompiler>;

  constructor(readonly model: FhirModel) {
    this.handlers = { ...operators, ...access, ...queries, ExpressionRef: this.expressionRef, FunctionRef: this.functionRef, ParameterRef: this.parameterRef };
  }

  node(json: unknown, scope: Scope): Compiled {
    const n = json as Elm | undefined;
    if (!n || typeof n !== 'object' || typeof n.type !== 'string') throw new Unsupported('a missing expression');
    const h = Object.prototype.hasOwnProperty.call(this.handlers, n.type) ? this.handlers[n.type] : undefined;
    if (!h) throw new Unsupported(`the ELM node ${n.type}`);
    return h(n, scope, this);
  }

  library(scope: Scope, libraryName: unknown): LibModel {
    if (libraryName == null) return scope.lib;
    const lib = scope.lib.includes.get(String(libraryName));
    if (!lib) throw new Unsupported(`library ${String(libraryName)} is not included`);
    return lib;
  }

  /** A define or function body, compiled once; a reference to one still compiling is recursion. */
  slot(def: Elm, scope: Scope): Slot {
    const hit = this.slots.get(def);
    if (hit) {
      if (!hit.f) throw new Unsupported(`${String(def.name)} refers to itself`);
      return hit;
    }
    const slot: Slot = { f: null, t: fromSpec(undefined) };
    this.slots.set(def, slot);
    try {
      const body = this.node(def.expression, scope);
      slot.t = body.t;
      slot.f = body.f;
      return slot;
    } catch (err) {
      this.slots.delete(def);
      throw err;
    }
  }

  /** The compiled value of a Patient-context define of `lib` (cached per evaluation). */
  define(lib: LibModel, name: string): Compiled {
    const def = lib.defs.get(name);
    if (!def) throw new Unsupported(`define ${name} does not exist`);
    if (def.context !== 'Patient') throw new Unsupported(`define ${name} is not in the Patient context`);
    const slot = this.slot(def, { lib, locals: new Map() });
    return {
      t: slot.t,
      f: (rt) => {
        if (rt.cache.has(slot)) return rt.cache.get(slot);
        const v = slot.f!(rt, EMPTY);
        rt.cache.set(slot, v);
        return v;
      },
    };
  }

  private readonly expressionRef: NodeCompiler = (n, s) => {
    const name = String(n.name);
    // cql-execution looks a define up through the query/function context first: a local of that name would win
    if (n.libraryName == null && s.locals.has(name)) throw new Unsupported(`define ${name} is shadowed by a local name`);
    return this.define(this.library(s, n.libraryName), name);
  };

  private readonly functionRef: NodeCompiler = (n, s) => {
    const lib = this.library(s, n.libraryName);
    const argNodes = operandsOf(n);
    const defs = (lib.fns.get(String(n.name)) ?? []).filter((d) => operandsOf(d).length === argNodes.length);
    if (defs.length !== 1) throw new Unsupported(`function ${String(n.name)} has ${defs.length} definitions of that arity`);
    const def = defs[0]!;
    if (def.external === true) throw new Unsupported(`external function ${String(n.name)}`);
    const params = operandsOf(def).map((o) => ({ name: String(o.name), t: o.operandTypeSpecifier ? fromSpec(o.operandTypeSpecifier) : named(o.operandType) }));
    const slot = this.slot(def, { lib, locals: new Map(params.map((p) => [p.name, p.t])) });
    const args = argNodes.map((a) => this.node(a, s).f);
    return {
      t: slot.t,
      f: (rt, env) => {
        const frame: Env = {};
        for (let i = 0; i < args.length; i++) {
          const v = args[i]!(rt, env);
          if (v === undefined) throw new Bail(`argument ${params[i]!.name} of ${String(n.name)} is undefined`);
          frame[params[i]!.name] = v;
        }
        return slot.f!(rt, frame);
      },
    };
  };

  private readonly parameterRef: NodeCompiler = (n, s) => {
    const name = String(n.name);
    const def = this.library(s, n.libraryName).params.get(name);
    if (!def) throw new Unsupported(`parameter ${name} is not declared`);
    if (def.default != null) throw new Unsupported(`parameter ${name} has a default`);
    return {
      t: def.parameterTypeSpecifier ? fromSpec(def.parameterTypeSpecifier) : named(def.parameterType),
      f: (rt) => {
        const v = rt.params[name];
        if (v === undefined) throw new Bail(`parameter ${name} was not passed`);
        return v;
      },
    };
  };
}
