/**
 * Node compilers that read FHIR data and terminology — Property, As, Retrieve, InValueSet, CodeRef — over the plain
 * FHIR JSON, reading it as cql-exec-fhir 2.2.0's FHIRObject does: a primitive's JSON value is its `.value`,
 * `medication[x]` is found by trying each choice's property name (`medicationCodeableConcept`, …) in the model
 * info's order, a list is the JSON array. Data that FHIRObject would read differently (a primitive carried only by
 * its `_x` extension sibling, a non-array where the model says list, …) bails to cql-execution.
 */
import { Bail, Choice, Code } from './values.ts';
import { fromModel, fromSpec, named, sys, Unsupported, type Compiled, type Elm, type Rt, type T } from './types.ts';
import type { NodeCompiler } from './nodes.ts';

const ABSTRACT = new Set(['Resource', 'DomainResource']);
const isObject = (d: unknown): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d);

function primitiveRead(path: string) {
  return (v: Record<string, unknown>): unknown => {
    const d = v[path];
    if (d == null) {
      if (v[`_${path}`] != null) throw new Bail(`${path} is carried by its extension only`);
      return null;
    }
    if (typeof d === 'object') throw new Bail(`${path} is not a primitive value`);
    return d;
  };
}

function complexRead(path: string) {
  return (v: Record<string, unknown>): unknown => {
    const d = v[path];
    if (d == null) return null;
    if (!isObject(d)) throw new Bail(`${path} is not an object`);
    return d;
  };
}

function listRead(path: string, primitive: boolean) {
  return (v: Record<string, unknown>): unknown => {
    const d = v[path];
    if (primitive && v[`_${path}`] != null) throw new Bail(`${path} has extension siblings`);
    if (d == null) return null;
    if (!Array.isArray(d)) throw new Bail(`${path} is not a list`);
    for (const x of d) if (x != null && (primitive ? typeof x === 'object' : !isObject(x))) throw new Bail(`${path} holds a malformed item`);
    return d;
  };
}

const SUPPORTED_SYSTEM = new Set(['String', 'Boolean', 'Integer']);

/** How to read `path` from a value of static type `t`, and the result's type. */
function reader(t: T, path: string, c: Parameters<NodeCompiler>[2]): { read: (v: Record<string, unknown>) => unknown; t: T } {
  if (t.k === 'tuple') {
    const ft = t.fields.get(path);
    if (!ft) throw new Unsupported(`tuple element ${path} is not declared`);
    return { t: ft, read: (v) => v[path] ?? null };
  }
  if (t.k === 'sys' && t.name === 'Code' && ['code', 'system', 'version', 'display'].includes(path)) return { t: sys('String'), read: (v) => v[path] ?? null };
  if (t.k === 'sys' && t.name === 'Concept' && (path === 'codes' || path === 'display')) {
    return { t: path === 'codes' ? { k: 'list', el: sys('Code') } : sys('String'), read: (v) => v[path] ?? null };
  }
  if (t.k !== 'fhir') throw new Unsupported(`property ${path} of a ${t.k} value`);
  const model = c.model;
  const cls = model.classOf(t.name);
  if (!cls) throw new Unsupported(`FHIR type ${t.name} is not in the model`);
  if (model.isPrimitive(t.name)) {
    const vt = cls.findElement('value')?.typeSpecifier;
    if (path !== 'value' || vt?.namespace !== 'System' || !SUPPORTED_SYSTEM.has(String(vt.name))) throw new Unsupported(`${t.name}.${path}`);
    return { t: sys(String(vt.name)), read: (v) => v };
  }
  const el = cls.findElement(path, true);
  if (!el || el.name !== path) throw new Unsupported(`${t.name}.${path} is not an element (or names one choice)`);
  const ts = el.typeSpecifier;
  if (ts.isChoice) {
    const choices = (ts.choices ?? []).map((ch) => {
      if (!ch.isNamed || ch.namespace !== 'FHIR') throw new Unsupported(`${t.name}.${path} has a non-FHIR choice`);
      const name = String(ch.name) === 'SimpleQuantity' ? 'Quantity' : String(ch.name);
      return { prop: `${path}${name[0]!.toUpperCase()}${name.slice(1)}`, type: String(ch.name), primitive: model.isPrimitive(String(ch.name)) };
    });
    return {
      t: fromModel(ts),
      read: (v) => {
        for (const ch of choices) {
          if (v[ch.prop] != null || v[`_${ch.prop}`] != null) {
            const d = v[ch.prop];
            if (ch.primitive ? d == null || typeof d === 'object' : !isObject(d)) throw new Bail(`${ch.prop} is malformed or carried by its extension only`);
            return new Choice(ch.type, d);
          }
        }
        return null;
      },
    };
  }
  const mt = fromModel(ts);
  if (mt.k === 'list' && mt.el.k === 'fhir' && !ABSTRACT.has(mt.el.name)) return { t: mt, read: listRead(path, model.isPrimitive(mt.el.name)) };
  if (mt.k === 'fhir' && !ABSTRACT.has(mt.name)) return { t: mt, read: model.isPrimitive(mt.name) ? primitiveRead(path) : complexRead(path) };
  throw new Unsupported(`${t.name}.${path} has a type the compiler does not read`);
}

function valueSetOf(ref: Elm, scope: Parameters<NodeCompiler>[1], c: Parameters<NodeCompiler>[2]): { id: string; version: string | undefined } {
  const def = c.library(scope, ref.libraryName).valueSets.get(String(ref.name));
  if (!def || typeof def.id !== 'string') throw new Unsupported(`value set ${String(ref.name)} is not declared`);
  return { id: def.id, version: def.version as string | undefined };
}

function resolve(rt: Rt, vs: { id: string; version: string | undefined }) {
  const found = rt.findValueSet(vs.id, vs.version);
  if (!found) throw new Bail(`value set ${vs.id} is unknown`);
  return found;
}

const RETRIEVE_KEYS = new Set(['type', 'locator', 'localId', 'annotation', 'resultTypeName', 'resultTypeSpecifier', 'dataType', 'templateId', 'codeProperty', 'codeComparator', 'codes', 'include', 'codeFilter', 'dateFilter', 'otherFilter']);

/** The codes cql-exec-fhir's getCode gives a CodeableConcept or Coding element (undefined when it has none). */
function codesOf(kind: 'CodeableConcept' | 'Coding', path: string) {
  const code = (x: unknown): Code | null => {
    if (x == null) return null;
    if (!isObject(x)) throw new Bail(`a coding of ${path} is malformed`);
    return new Code(x.code, x.system, x.version, x.display);
  };
  return (r: Record<string, unknown>): unknown => {
    const d = r[path];
    if (d == null) return d;
    if (!isObject(d)) throw new Bail(`${path} is malformed`);
    if (kind === 'Coding') return code(d);
    const coding = d.coding;
    if (coding == null) return coding;
    if (!Array.isArray(coding)) throw new Bail(`${path}.coding is not a list`);
    return coding.map(code);
  };
}

export const access: Record<string, NodeCompiler> = {
  Property: (n, s, c) => {
    const path = n.path;
    if (typeof path !== 'string' || path.includes('.')) throw new Unsupported('a dotted property path');
    let src: Compiled;
    if (n.scope != null) {
      const name = String(n.scope);
      const t = s.locals.get(name);
      if (!t) throw new Unsupported(`alias ${name} is not in scope`);
      src = { t, f: (_rt, env) => env[name] };
    } else src = c.node(n.source, s);
    const { read, t } = reader(src.t, path, c);
    const f = src.f;
    return {
      t,
      f: (rt, env) => {
        const v = f(rt, env);
        if (v === undefined) throw new Bail('a property of an undefined value');
        return v === null ? null : read(v as Record<string, unknown>);
      },
    };
  },
  As: (n, s, c) => {
    const target = n.asTypeSpecifier ? fromSpec(n.asTypeSpecifier) : named(n.asType);
    const op = n.operand as Elm | undefined;
    if (op?.type === 'Null') return { t: target, f: () => null };
    if (n.strict === true) throw new Unsupported('a strict As');
    if (target.k !== 'fhir') throw new Unsupported('As to a non-FHIR type');
    const a = c.node(op, s);
    const model = c.model;
    if (a.t.k === 'choice') {
      return {
        t: target,
        f: (rt, env) => {
          const v = a.f(rt, env);
          if (v == null) return null;
          if (!(v instanceof Choice)) throw new Bail('a choice value without its type');
          return model.isA(v.type, target.name) ? v.value : null;
        },
      };
    }
    if (a.t.k !== 'fhir') throw new Unsupported(`As from a ${a.t.k} value`);
    const staticName = a.t.name;
    const resource = model.isResource(staticName);
    return {
      t: target,
      f: (rt, env) => {
        const v = a.f(rt, env) as Record<string, unknown> | null;
        if (v == null) return null;
        let actual = staticName;
        if (resource) {
          if (typeof v.resourceType !== 'string') throw new Bail('a resource without a resourceType');
          actual = v.resourceType;
        }
        return model.isA(actual, target.name) ? v : null;
      },
    };
  },
  Retrieve: (n, s, c) => {
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (!RETRIEVE_KEYS.has(k) || (Array.isArray(v) && v.length > 0 && k !== 'annotation')) throw new Unsupported(`a Retrieve with ${k}`);
    }
    const t = named(n.dataType);
    if (t.k !== 'fhir' || ABSTRACT.has(t.name) || !c.model.isResource(t.name)) throw new Unsupported(`a Retrieve of ${String(n.dataType)}`);
    const type = t.name;
    if (n.templateId != null && n.templateId !== `http://hl7.org/fhir/StructureDefinition/${type}`) throw new Unsupported(`a Retrieve by profile ${String(n.templateId)}`);
    let vs: { id: string; version: string | undefined } | null = null;
    let codes: ((r: Record<string, unknown>) => unknown) | null = null;
    if (n.codes != null) {
      const ref = n.codes as Elm;
      if (ref.type !== 'ValueSetRef' || typeof n.codeProperty !== 'string') throw new Unsupported('a Retrieve filtered other than by a value set');
      vs = valueSetOf(ref, s, c);
      const el = c.model.classOf(type)?.findElement(n.codeProperty, true);
      const et = el && el.name === n.codeProperty ? fromModel(el.typeSpecifier) : null;
      if (et?.k !== 'fhir' || (et.name !== 'CodeableConcept' && et.name !== 'Coding')) throw new Unsupported(`a Retrieve filtered on ${type}.${n.codeProperty}`);
      codes = codesOf(et.name, n.codeProperty);
    }
    return {
      t: { k: 'list', el: t },
      f: (rt) => {
        const set = vs ? resolve(rt, vs) : null;
        let records = rt.byType.get(type);
        if (!records) {
          records = rt.resources.filter((r) => r.resourceType === type);
          rt.byType.set(type, records);
        }
        return set && codes ? records.filter((r) => set.hasMatch(codes(r))) : records.slice();
      },
    };
  },
  InValueSet: (n, s, c) => {
    if (n.valueset == null) throw new Unsupported('InValueSet over a value set expression');
    const code = c.node(n.code, s);
    if (code.t.k !== 'sys' || !['Code', 'Concept', 'String'].includes(code.t.name)) throw new Unsupported('InValueSet of a non-terminology value');
    const vs = valueSetOf(n.valueset as Elm, s, c);
    return { t: sys('Boolean'), f: (rt, env) => { const v = code.f(rt, env); return v == null ? false : resolve(rt, vs).hasMatch(v); } };
  },
  CodeRef: (n, s, c) => {
    const lib = c.library(s, n.libraryName);
    const def = lib.codes.get(String(n.name));
    const system = def?.codeSystem as Elm | undefined;
    if (!def || !system || system.libraryName != null) throw new Unsupported(`code ${String(n.name)}`);
    const cs = lib.codeSystems.get(String(system.name));
    if (!cs) throw new Unsupported(`code system ${String(system.name)}`);
    const value = new Code(def.id, cs.id, cs.version, def.display);
    return { t: sys('Code'), f: () => value };
  },
};
