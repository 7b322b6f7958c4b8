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

/**
 * `ttlMs`: a row older than this at the entity timestamp counts as none. State is flat typed arrays per id group
 * (no object per id or per row): `order[start[g]..start[g+1])` are group g's entities by time, `next[g]` the first
 * not yet answered; the current candidate of g is its time and payload (a Candidate object is made only when chosen).
 */
export function createAsOfJoin<P>(ids: readonly string[], times: Float64Array, options: { ttlMs?: number } = {}): AsOfJoin<P> {
  const n = ids.length;
  const ttl = options.ttlMs ?? Infinity;
  const groupOf = new Map<string, number>();
  const groupIds: string[] = [];
  const gi = new Int32Array(n);
  let maxTime = -Infinity;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as string;
    let g = groupOf.get(id);
    if (g === undefined) {
      g = groupIds.length;
      groupOf.set(id, g);
      groupIds.push(id);
    }
    gi[i] = g;
    if (times[i]! > maxTime) maxTime = times[i]!;
  }
  const G = groupIds.length;
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) start[gi[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const next = start.slice(0, G);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[next[gi[i]!]!++] = i;
  next.set(start.subarray(0, G));
  for (let g = 0; g < G; g++) if (start[g + 1]! - start[g]! > 1) order.subarray(start[g]!, start[g + 1]!).sort((a, b) => times[a]! - times[b]!);

  const candTime = new Float64Array(G).fill(-Infinity);
  const candPayload: (P | undefined)[] = new Array(G);
  const candObj: (Candidate<P> | undefined)[] = new Array(G);
  const has = new Uint8Array(G);
  const out: (Candidate<P> | undefined)[] = new Array(n).fill(undefined);
  const settle = (g: number, until: number) => {
    const end = start[g + 1]!;
    let k = next[g]!;
    while (k < end && times[order[k]!]! < until) {
      const e = order[k]!;
      if (has[g] && times[e]! - candTime[g]! <= ttl) out[e] = candObj[g] ??= { eventTime: candTime[g]!, payload: candPayload[g] as P };
      k++;
    }
    next[g] = k;
  };
  return {
    ids: groupIds,
    maxTime,
    push(recordId, eventTime, payload) {
      const g = groupOf.get(recordId);
      if (g === undefined || next[g] === start[g + 1]) return; // no entity of this id is left to answer
      if (eventTime < candTime[g]!) throw new Error(`feature rows of "${recordId}" out of event-time order`);
      // Entities strictly before this row are answered by the previous candidate; an equal timestamp sees this row.
      settle(g, eventTime);
      candTime[g] = eventTime;
      candPayload[g] = payload;
      candObj[g] = undefined;
      has[g] = 1;
    },
    finish() {
      for (let g = 0; g < G; g++) settle(g, Infinity);
      return out;
    },
  };
}
