/**
 * Node compilers for the operators (logic, comparison, strings, lists, nulls, conditionals, constructors). Each
 * mirrors the `exec` of the cql-execution 3.3.2 class of the same name — every operand is evaluated as there (And
 * and Or do not short-circuit: an operand that throws there throws here too), nulls propagate the same way — but
 * synchronously, as one closure per node. A node whose types the compiler cannot vouch for throws Unsupported.
 */
import { Code, Concept, contains, distinct, equals, equivalent } from './values.ts';
import { declared, NULL_T, plainType, shapeOf, sys, Unsupported, type Compiled, type Compiler, type Elm, type Scope, type T } from './types.ts';

export type NodeCompiler = (n: Elm, s: Scope, c: Compiler) => Compiled;

const operands = (n: Elm): Elm[] => (Array.isArray(n.operand) ? (n.operand as Elm[]) : n.operand ? [n.operand as Elm] : []);
const all = (n: Elm, s: Scope, c: Compiler): Compiled[] => operands(n).map((o) => c.node(o, s));
const one = (n: Elm, s: Scope, c: Compiler): Compiled => {
  const o = operands(n);
  if (o.length !== 1) throw new Unsupported(`${n.type} with ${o.length} operands`);
  return c.node(o[0], s);
};
const BOOL = sys('Boolean');
const STRING = sys('String');

function requirePlain(n: Elm, args: Compiled[]): void {
  for (const a of args) if (!plainType(a.t)) throw new Unsupported(`${n.type} on a value that is not a CQL value (FHIR data or an unknown type)`);
}

function logic(combine: (vals: unknown[]) => unknown): NodeCompiler {
  return (n, s, c) => {
    const args = all(n, s, c).map((a) => a.f);
    return { t: BOOL, f: (rt, env) => combine(args.map((f) => f(rt, env))) };
  };
}

const listEl = (t: T): T => (t.k === 'list' ? t.el : t);

export const operators: Record<string, NodeCompiler> = {
  Null: (n) => ({ t: declared(n).k === 'sys' && (declared(n) as { name: string }).name !== 'Any' ? declared(n) : NULL_T, f: () => null }),
  Literal: (n) => {
    const t = declared(n);
    const v = n.value;
    if (n.valueType === '{urn:hl7-org:elm-types:r1}Boolean') return { t, f: () => v === 'true' };
    if (n.valueType === '{urn:hl7-org:elm-types:r1}String') return { t, f: () => v };
    if (n.valueType === '{urn:hl7-org:elm-types:r1}Integer') {
      const i = parseInt(String(v), 10);
      return { t, f: () => i };
    }
    throw new Unsupported(`a ${String(n.valueType)} literal`);
  },
  And: logic((v) => (v.includes(false) ? false : v.includes(null) ? null : true)),
  Or: logic((v) => (v.includes(true) ? true : v.includes(null) ? null : false)),
  Not: (n, s, c) => {
    const a = one(n, s, c).f;
    return { t: BOOL, f: (rt, env) => { const v = a(rt, env); return v != null ? !v : null; } };
  },
  IsNull: (n, s, c) => {
    const a = one(n, s, c).f;
    return { t: BOOL, f: (rt, env) => a(rt, env) == null };
  },
  Coalesce: (n, s, c) => {
    const args = all(n, s, c);
    const single = args.length === 1;
    if (single && args[0]!.t.k !== 'list') throw new Unsupported('Coalesce of one non-list operand');
    const fs = args.map((a) => a.f);
    return {
      t: single ? listEl(args[0]!.t) : (args.find((a) => a.t.k !== 'null')?.t ?? declared(n)),
      f: (rt, env) => {
        for (const f of fs) {
          const r = f(rt, env);
          if (single && Array.isArray(r)) {
            const item = r.find((x) => x != null);
            if (item != null) return item;
          } else if (r != null) return r;
        }
        return null;
      },
    };
  },
  Equal: (n, s, c) => {
    const args = all(n, s, c);
    requirePlain(n, args);
    const [a, b] = args.map((x) => x.f) as [Compiled['f'], Compiled['f']];
    return { t: BOOL, f: (rt, env) => { const x = a(rt, env); const y = b(rt, env); return x == null || y == null ? null : equals(x, y); } };
  },
  Equivalent: (n, s, c) => {
    const args = all(n, s, c);
    requirePlain(n, args);
    const [a, b] = args.map((x) => x.f) as [Compiled['f'], Compiled['f']];
    return {
      t: BOOL,
      f: (rt, env) => {
        const x = a(rt, env);
        const y = b(rt, env);
        if (x == null && y == null) return true;
        return x == null || y == null ? false : equivalent(x, y);
      },
    };
  },
  In: (n, s, c) => {
    const args = all(n, s, c);
    requirePlain(n, args);
    if (args[1]?.t.k !== 'list') throw new Unsupported('In over something other than a list');
    const [a, b] = args.map((x) => x.f) as [Compiled['f'], Compiled['f']];
    return { t: BOOL, f: (rt, env) => { const item = a(rt, env); const list = b(rt, env); return list == null ? false : contains(list as unknown[], item); } };
  },
  Exists: (n, s, c) => {
    const a = one(n, s, c);
    if (a.t.k !== 'list') throw new Unsupported('Exists of a non-list');
    return { t: BOOL, f: (rt, env) => { const l = a.f(rt, env) as unknown[] | null; return l ? l.some((x) => x != null) : false; } };
  },
  First: (n, s, c) => {
    const a = c.node(n.source, s);
    if (a.t.k !== 'list') throw new Unsupported('First of a non-list');
    return { t: a.t.el, f: (rt, env) => { const l = a.f(rt, env); return l != null && Array.isArray(l) && l.length > 0 ? l[0] : null; } };
  },
  SingletonFrom: (n, s, c) => {
    const a = one(n, s, c);
    if (a.t.k !== 'list') throw new Unsupported('SingletonFrom of a non-list');
    return {
      t: a.t.el,
      f: (rt, env) => {
        const l = a.f(rt, env) as unknown[] | null;
        if (l != null && l.length > 1) throw new Error("IllegalArgument: 'SingletonFrom' requires a 0 or 1 arg array");
        return l != null && l.length === 1 ? l[0] : null;
      },
    };
  },
  Union: (n, s, c) => {
    const args = all(n, s, c);
    if (args.length !== 2 || args.some((a) => a.t.k !== 'list' && a.t.k !== 'null')) throw new Unsupported('Union of non-lists');
    const listTyped = operands(n).some((o) => o.type === 'As' && (o.asTypeSpecifier as Elm | undefined)?.type === 'ListTypeSpecifier');
    const t = args.find((a) => a.t.k === 'list')?.t ?? declared(n);
    const shape = shapeOf(listEl(t));
    const [a, b] = args.map((x) => x.f) as [Compiled['f'], Compiled['f']];
    return {
      t,
      f: (rt, env) => {
        const x = a(rt, env) as unknown[] | null;
        const y = b(rt, env) as unknown[] | null;
        if (x == null && y == null) return listTyped ? [] : null;
        if (x == null || y == null) {
          const notNull = x || y;
          return Array.isArray(notNull) ? notNull : null;
        }
        const d = distinct(x.concat(y), shape);
        let firstNull = false;
        return d.filter((item) => (item !== null ? true : !firstNull && (firstNull = true)));
      },
    };
  },
  List: (n, s, c) => {
    const els = ((n.element ?? []) as Elm[]).map((e) => c.node(e, s));
    const t = declared(n);
    const fs = els.map((e) => e.f);
    return { t: t.k === 'list' ? t : { k: 'list', el: els[0]?.t ?? NULL_T }, f: (rt, env) => fs.map((f) => f(rt, env)) };
  },
  Tuple: (n, s, c) => {
    const els = ((n.element ?? []) as Elm[]).map((e) => ({ name: String(e.name), v: e.value != null ? c.node(e.value, s) : null }));
    const t: T = { k: 'tuple', fields: new Map(els.map((e) => [e.name, e.v?.t ?? NULL_T])) };
    return {
      t,
      f: (rt, env) => {
        const out: Record<string, unknown> = {};
        for (const e of els) out[e.name] = e.v ? e.v.f(rt, env) : undefined;
        return out;
      },
    };
  },
  Instance: (n, s, c) => {
    const els = ((n.element ?? []) as Elm[]).map((e) => ({ name: String(e.name), v: c.node(e.value, s) }));
    const build = (rt: Parameters<Compiled['f']>[0], env: Parameters<Compiled['f']>[1]) => {
      const obj: Record<string, unknown> = {};
      for (const e of els) obj[e.name] = e.v.f(rt, env);
      return obj;
    };
    if (n.classType === '{urn:hl7-org:elm-types:r1}Code') return { t: sys('Code'), f: (rt, env) => { const o = build(rt, env); return new Code(o.code, o.system, o.version, o.display); } };
    if (n.classType === '{urn:hl7-org:elm-types:r1}Concept') return { t: sys('Concept'), f: (rt, env) => { const o = build(rt, env); return new Concept(o.codes, o.display); } };
    throw new Unsupported(`Instance of ${String(n.classType)}`);
  },
  ToConcept: (n, s, c) => {
    const a = one(n, s, c);
    if (a.t.k !== 'sys' || a.t.name !== 'Code') throw new Unsupported('ToConcept of something other than a Code');
    return { t: sys('Concept'), f: (rt, env) => { const v = a.f(rt, env) as Code | null; return v != null ? new Concept([v], v.display) : null; } };
  },
  Concatenate: (n, s, c) => {
    const fs = all(n, s, c).map((a) => a.f);
    return { t: STRING, f: (rt, env) => { const v = fs.map((f) => f(rt, env)); return v.some((x) => x == null) ? null : v.reduce((x, y) => (x as string) + (y as string)); } };
  },
  Combine: (n, s, c) => {
    const src = c.node(n.source, s);
    const sep = n.separator != null ? c.node(n.separator, s).f : null;
    if (src.t.k !== 'list') throw new Unsupported('Combine of a non-list');
    return {
      t: STRING,
      f: (rt, env) => {
        const l = src.f(rt, env) as unknown[] | null;
        const separator = sep ? sep(rt, env) : '';
        if (l == null) return null;
        const kept = l.filter((x) => x != null);
        return kept.length === 0 ? null : kept.join(separator as string);
      },
    };
  },
  Lower: (n, s, c) => {
    const a = one(n, s, c).f;
    return { t: STRING, f: (rt, env) => { const v = a(rt, env) as string | null; return v != null ? v.toLowerCase() : null; } };
  },
  If: (n, s, c) => {
    const cond = c.node(n.condition, s).f;
    const th = c.node(n.then, s);
    const el = c.node(n.else, s);
    return { t: th.t.k !== 'null' ? th.t : el.t, f: (rt, env) => (cond(rt, env) ? th.f(rt, env) : el.f(rt, env)) };
  },
  Case: (n, s, c) => {
    const items = ((n.caseItem ?? []) as Elm[]).map((i) => ({ when: c.node(i.when, s), then: c.node(i.then, s) }));
    const els = c.node(n.else, s);
    const comparand = n.comparand != null ? c.node(n.comparand, s) : null;
    if (comparand) requirePlain(n, [comparand, ...items.map((i) => i.when)]);
    const t = [...items.map((i) => i.then.t), els.t].find((x) => x.k !== 'null') ?? NULL_T;
    return {
      t,
      f: (rt, env) => {
        const val = comparand ? comparand.f(rt, env) : undefined;
        for (const i of items) {
          const w = i.when.f(rt, env);
          if (comparand ? equals(w, val) : w) return i.then.f(rt, env);
        }
        return els.f(rt, env);
      },
    };
  },
};
