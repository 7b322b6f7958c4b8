/**
 * Query (sources, let, where, return) and the references to names in scope (AliasRef, QueryLetRef, OperandRef),
 * as cql-execution 3.3.2's Query.exec evaluates them: every source is evaluated; all-null sources give null; a
 * non-list source is a one-element list and a query over non-lists returns its first result; a `where` keeps a
 * row when its value is truthy; the result is distinct unless `return all`. Relationships (with/without), sort
 * and aggregate are not compiled (Unsupported), nor a multi-source query without a return clause.
 */
import { Bail, distinct } from './values.ts';
import { shapeOf, Unsupported, type Compiled, type Elm, type Env, type T } from './types.ts';
import type { NodeCompiler } from './nodes.ts';

/** A local's value: cql-execution falls back to outer names when a local is undefined, so that case bails. */
const local: NodeCompiler = (n, s) => {
  const name = String(n.name);
  const t = s.locals.get(name);
  if (!t) throw new Unsupported(`${n.type} ${name} is not in scope`);
  return {
    t,
    f: (_rt, env) => {
      const v = env[name];
      if (v === undefined) throw new Bail(`${name} is undefined`);
      return v;
    },
  };
};

function cartesian(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((combo) => list.map((x) => [...combo, x])), [[]]);
}

const Query: NodeCompiler = (n, s, c) => {
  if ((Array.isArray(n.relationship) && n.relationship.length > 0) || n.sort != null || n.aggregate != null) throw new Unsupported('a query with a relationship, sort or aggregate');
  const sourceDefs = (n.source ?? []) as Elm[];
  const sources = sourceDefs.map((d) => ({ alias: String(d.alias), c: c.node(d.expression, s) }));
  if (sources.length === 0) throw new Unsupported('a query without sources');
  const locals = new Map(s.locals);
  for (const src of sources) locals.set(src.alias, src.c.t.k === 'list' ? src.c.t.el : src.c.t);
  const inner = { lib: s.lib, locals };
  const lets = ((n.let ?? []) as Elm[]).map((d) => {
    const compiled = c.node(d.expression, inner);
    locals.set(String(d.identifier), compiled.t);
    return { name: String(d.identifier), f: compiled.f };
  });
  const where = n.where != null ? c.node(n.where, inner).f : null;
  const ret = n.return != null ? (n.return as Elm) : null;
  const returned: Compiled | null = ret ? c.node(ret.expression, inner) : null;
  if (!returned && sources.length > 1) throw new Unsupported('a multi-source query without a return clause');
  const isDistinct = ret?.distinct != null ? ret.distinct !== false : true;
  const elType: T = returned ? returned.t : (locals.get(sources[0]!.alias) as T);
  const shape = shapeOf(elType);
  const staticList = sources.some((src) => src.c.t.k === 'list');
  const fs = sources.map((src) => src.c.f);
  const aliases = sources.map((src) => src.alias);
  return {
    t: staticList ? { k: 'list', el: elType } : elType,
    f: (rt, env) => {
      const values = fs.map((f) => f(rt, env));
      if (values.every((v) => v == null)) return null;
      const isList = values.some((v) => Array.isArray(v));
      if (isList !== staticList) throw new Bail('a query source is not shaped as typed');
      const lists = values.map((v) => (v == null ? [] : Array.isArray(v) ? v : [v]));
      let out: unknown[] = [];
      for (const combo of aliases.length === 1 ? lists[0]!.map((x) => [x]) : cartesian(lists)) {
        const row: Env = { ...env };
        combo.forEach((v, i) => {
          if (v === undefined) throw new Bail('an undefined query row');
          row[aliases[i]!] = v;
        });
        for (const l of lets) row[l.name] = l.f(rt, row);
        if (where ? where(rt, row) : true) out.push(returned ? returned.f(rt, row) : row[aliases[0]!]);
      }
      if (isDistinct) out = distinct(out, shape);
      return isList ? out : out[0];
    },
  };
};

export const queries: Record<string, NodeCompiler> = { Query, AliasRef: local, QueryLetRef: local, OperandRef: local };
