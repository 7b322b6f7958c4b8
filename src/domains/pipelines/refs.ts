/**
 * `${{ params.NAME }}` and `${{ steps.STEP.outputs.PATH }}` references: found in any input value, checked at apply
 * time against the parameters and the referenced step's typed outputs (a JSON Schema), resolved at run time. A
 * string that is exactly one reference takes the referenced value's type; references inside text are interpolated.
 */
const REF = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*([^}]*?)\s*\}\}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

export type Ref = { kind: 'param'; name: string; text: string } | { kind: 'step'; step: string; path: string[]; text: string } | { kind: 'bad'; text: string; problem: string };

export function parseRef(text: string): Ref {
  const parts = text.split('.');
  if (parts.some((p) => !SEGMENT.test(p))) return { kind: 'bad', text, problem: `"${text}" is not a reference` };
  if (parts[0] === 'params' && parts.length === 2) return { kind: 'param', name: parts[1]!, text };
  if (parts[0] === 'steps' && parts.length >= 3 && parts[2] === 'outputs') return { kind: 'step', step: parts[1]!, path: parts.slice(3), text };
  return { kind: 'bad', text, problem: `"${text}" is not params.NAME or steps.STEP.outputs.FIELD` };
}

/** Every reference in a value, with the field path where it sits. */
export function findRefs(value: unknown, field: string): Array<{ field: string; ref: Ref }> {
  const out: Array<{ field: string; ref: Ref }> = [];
  const walk = (v: unknown, f: string) => {
    if (typeof v === 'string') for (const m of v.matchAll(REF)) out.push({ field: f, ref: parseRef(m[1]!) });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${f}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, f ? `${f}.${k}` : k);
  };
  walk(value, field);
  return out;
}

export type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; additionalProperties?: unknown; items?: JsonSchema; anyOf?: JsonSchema[]; description?: string; required?: string[] };

/** What a path into a step's outputs leads to: its schema, an open object's unknown inside, or why it does not exist. */
export type PathResult = { ok: true; schema: JsonSchema | null } | { ok: false; problem: string };

const typeOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

export function walkSchema(root: JsonSchema, path: string[], expand: (s: JsonSchema) => JsonSchema): PathResult {
  let node: JsonSchema = expand(root);
  for (const [i, seg] of path.entries()) {
    if (node.anyOf) node = expand(node.anyOf.find((a) => !typeOf(a).includes('null')) ?? node.anyOf[0]!);
    const at = path.slice(0, i).join('.') || '(outputs)';
    const props = node.properties && Object.keys(node.properties).length > 0 ? node.properties : undefined;
    if (props && seg in props) node = expand(props[seg]!);
    else if (typeOf(node).includes('array') && /^\d+$/.test(seg) && node.items) node = expand(node.items);
    else if (typeOf(node).includes('object') && !props && node.additionalProperties !== false) return { ok: true, schema: null };
    else if (node.additionalProperties && typeof node.additionalProperties === 'object' && Object.keys(node.additionalProperties).length > 0) node = expand(node.additionalProperties as JsonSchema);
    else {
      const has = Object.keys(node.properties ?? {});
      return { ok: false, problem: `${at} has no field "${seg}"${has.length ? ` (it has: ${has.join(', ')})` : ''}` };
    }
  }
  return { ok: true, schema: node };
}

/** The scalar type a schema describes (number covers integer), or null when it is open / not a scalar. */
export function scalarType(schema: JsonSchema | null): 'number' | 'string' | 'boolean' | 'other' | null {
  if (!schema) return null;
  const t = typeOf(schema).filter((x) => x !== 'null');
  if (t.length === 0) return null;
  if (t.every((x) => x === 'number' || x === 'integer')) return 'number';
  if (t.every((x) => x === 'string')) return 'string';
  if (t.every((x) => x === 'boolean')) return 'boolean';
  return 'other';
}

export interface RefScope {
  params: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export class MissingRefError extends Error {}

function lookup(ref: Ref, scope: RefScope): unknown {
  if (ref.kind === 'bad') throw new MissingRefError(ref.problem);
  if (ref.kind === 'param') {
    if (!(ref.name in scope.params)) throw new MissingRefError(`no parameter "${ref.name}"`);
    return scope.params[ref.name];
  }
  if (!(ref.step in scope.outputs)) throw new MissingRefError(`step "${ref.step}" has no outputs (it did not run)`);
  let v: unknown = scope.outputs[ref.step];
  for (const seg of ref.path) {
    if (v === null || typeof v !== 'object' || !(seg in (v as object))) throw new MissingRefError(`steps.${ref.step}.outputs.${ref.path.join('.')} is missing from the step's outputs`);
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** The value with every reference replaced (MissingRefError when a referenced value does not exist). */
export function resolveRefs(value: unknown, scope: RefScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(parseRef(whole[1]!), scope);
    return value.replace(REF, (_m, text: string) => {
      const v = lookup(parseRef(text), scope);
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, scope)]));
  return value;
}

/** Whether the string is exactly one reference (its type is the referenced value's type). */
export const wholeRef = (v: unknown): Ref | undefined => {
  if (typeof v !== 'string') return undefined;
  const m = WHOLE.exec(v);
  return m ? parseRef(m[1]!) : undefined;
};
