/**
 * Point-in-time ("as of") join: for every entity row (record id, timestamp), the latest feature row of that record id
 * with event time ≤ the timestamp (ties on event time: the later write), or none — never a row from the future.
 *
 * Streaming: the entities are grouped by record id (each group's times sorted once); feature rows are then pushed in
 * ascending (event time, write seq) order *within* each record id — the order the offline store's key scan yields —
 * and each pushes past the entities it can no longer answer. Memory is O(entities): a feature row is kept only while
 * it is some entity's candidate, and its values (a JSON string) are parsed only if it is returned. Rows of ids no
 * entity asks about cost one Map lookup. Relies on no collation: ids need only come grouped, not sorted.
 */

export interface Candidate<P> {
  eventTime: number;
  payload: P;
}

interface EntityGroup<P> {
  /** Entity indices of this id, sorted by timestamp. */
  order: Int32Array;
  next: number;
  cand: Candidate<P> | undefined;
}

export interface AsOfJoin<P> {
  /** One feature row; rows of one id must come in ascending (event time, write order). */
  push(recordId: string, eventTime: number, payload: P): void;
  /** For each entity (input order), the row chosen for it, or undefined. */
  finish(): (Candidate<P> | undefined)[];
  /** Distinct record ids among the entities. */
  readonly ids: string[];
  /** The latest entity timestamp (rows after it can never be chosen). */
  readonly maxTime: number;
}

/** `ttlMs`: a row older than this at the entity timestamp counts as none. */
export function createAsOfJoin<P>(ids: readonly string[], times: Float64Array, options: { ttlMs?: number } = {}): AsOfJoin<P> {
  const n = ids.length;
  const ttl = options.ttlMs ?? Infinity;
  const byId = new Map<string, number[]>();
  let maxTime = -Infinity;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as string;
    const list = byId.get(id);
    if (list) list.push(i);
    else byId.set(id, [i]);
    if (times[i]! > maxTime) maxTime = times[i]!;
  }
  const groups = new Map<string, EntityGroup<P>>();
  for (const [id, list] of byId) {
    const order = Int32Array.from(list);
    if (order.length > 1) order.sort((a, b) => times[a]! - times[b]!);
    groups.set(id, { order, next: 0, cand: undefined });
  }
  const out: (Candidate<P> | undefined)[] = new Array(n).fill(undefined);
  const settle = (g: EntityGroup<P>, until: number) => {
    const { order, cand } = g;
    let k = g.next;
    while (k < order.length && times[order[k]!]! < until) {
      const e = order[k]!;
      if (cand && times[e]! - cand.eventTime <= ttl) out[e] = cand;
      k++;
    }
    g.next = k;
  };
  return {
    ids: [...groups.keys()],
    maxTime,
    push(recordId, eventTime, payload) {
      const g = groups.get(recordId);
      if (!g || g.next === g.order.length) return; // no entity of this id is left to answer
      if (g.cand && eventTime < g.cand.eventTime) throw new Error(`feature rows of "${recordId}" out of event-time order`);
      // Entities strictly before this row are answered by the previous candidate; an equal timestamp sees this row.
      settle(g, eventTime);
      g.cand = { eventTime, payload };
    },
    finish() {
      for (const g of groups.values()) settle(g, Infinity);
      return out;
    },
  };
}
