/**
 * A pipeline's steps as a layered DAG: a step's parents are its `dependsOn`, the steps its inputs / condition
 * reference (`${{ steps.X.… }}`) and the condition whose `then` / `else` names it; its layer is one more than its
 * deepest parent. Mirrors the server's ordering rules (src/domains/pipelines/validate.ts) for drawing only.
 */
import type { PipelineDefinition } from '../../../src/domains/pipelines/index.ts';

export interface DagNode { name: string; type: string; layer: number; row: number }
export interface DagEdge { from: string; to: string; label?: 'then' | 'else' }
export interface DagLayout { nodes: DagNode[]; edges: DagEdge[]; layers: number; rows: number }

const REF = /\$\{\{\s*steps\.([A-Za-z0-9_-]+)\./g;

export function layoutDag(steps: PipelineDefinition['steps']): DagLayout {
  const names = new Set(steps.map((s) => s.name));
  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, label?: 'then' | 'else') => {
    if (!names.has(from) || from === to || seen.has(`${from}>${to}`)) return;
    seen.add(`${from}>${to}`);
    edges.push(label ? { from, to, label } : { from, to });
  };
  for (const s of steps) {
    if (s.type === 'condition') {
      for (const t of s.then) add(s.name, t, 'then');
      for (const t of s.else) add(s.name, t, 'else');
    }
  }
  for (const s of steps) {
    for (const d of s.dependsOn) add(d, s.name);
    for (const m of JSON.stringify(s).matchAll(REF)) add(m[1]!, s.name);
  }
  const parents = new Map<string, string[]>(steps.map((s) => [s.name, edges.filter((e) => e.to === s.name).map((e) => e.from)]));
  const layer = new Map<string, number>();
  const depth = (name: string, stack: Set<string>): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (stack.has(name)) return 0; // a cycle cannot be applied; guard anyway
    stack.add(name);
    const d = Math.max(-1, ...(parents.get(name) ?? []).map((p) => depth(p, stack))) + 1;
    stack.delete(name);
    layer.set(name, d);
    return d;
  };
  const rowsUsed: number[] = [];
  const nodes = steps.map((s) => {
    const l = depth(s.name, new Set());
    const row = rowsUsed[l] ?? 0;
    rowsUsed[l] = row + 1;
    return { name: s.name, type: s.type, layer: l, row };
  });
  return { nodes, edges, layers: rowsUsed.length, rows: Math.max(1, ...rowsUsed.map((r) => r ?? 0)) };
}
