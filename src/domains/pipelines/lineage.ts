/**
 * Lineage queries: dataset version → pipeline run → model version → endpoint, walked from any node both ways
 * (upstream: where it came from; downstream: what was made from it). Edges are written by the orchestrator as steps
 * finish (orchestrator.ts lineage()).
 */
import type { PipelineStore } from './store.ts';

export const LINEAGE_KINDS = ['dataset-version', 'run', 'model-version', 'endpoint'] as const;
export type LineageKind = (typeof LINEAGE_KINDS)[number];

export interface LineageNode { kind: string; id: string }
export interface LineageEdge { from: LineageNode; to: LineageNode; run: string }
export interface LineageGraph { node: LineageNode; upstream: LineageNode[]; downstream: LineageNode[]; edges: LineageEdge[] }

const key = (n: LineageNode) => `${n.kind}:${n.id}`;

export async function lineageGraph(store: PipelineStore, kind: LineageKind, id: string): Promise<LineageGraph> {
  const start: LineageNode = { kind, id };
  const edges = new Map<string, LineageEdge>();
  const walk = async (dir: 'up' | 'down'): Promise<LineageNode[]> => {
    const seen = new Map<string, LineageNode>([[key(start), start]]);
    const queue = [start];
    while (queue.length > 0 && seen.size < 1000) {
      const n = queue.shift()!;
      const rows = dir === 'up' ? await store.edgesTo(n.kind, n.id) : await store.edgesFrom(n.kind, n.id);
      for (const r of rows) {
        const e = { from: { kind: r.from_kind, id: r.from_id }, to: { kind: r.to_kind, id: r.to_id }, run: r.run_id };
        edges.set(`${key(e.from)}>${key(e.to)}`, e);
        const next = dir === 'up' ? e.from : e.to;
        if (!seen.has(key(next))) {
          seen.set(key(next), next);
          queue.push(next);
        }
      }
    }
    seen.delete(key(start));
    return [...seen.values()];
  };
  const upstream = await walk('up');
  const downstream = await walk('down');
  return { node: start, upstream, downstream, edges: [...edges.values()] };
}
