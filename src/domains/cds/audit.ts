/**
 * The hook-call audit log (CRD found-37: keep every hook call and response for disputes). It lives in the
 * database, not in the process log: the request is stored with the FHIR access token redacted, and the
 * process log gets ids, hook and timings only (no PHI).
 *
 * Written behind the answer (issue 17): `record` gives the call its id at once and queues the row; the queue is
 * written as one multi-row INSERT (one statement compiled and prepared per batch, not per call) at most
 * FLUSH_MS later, after the answer has gone out, and the bodies are serialised then. Reads (`list`, `get`) and
 * `flush()` write what is queued first, so the log always reads back every call answered before. The price: a
 * process that dies within those milliseconds loses the rows of the calls it answered in them.
 */
import type { Insertable, Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { newId, nowIso } from '../../core/ids.ts';
import { rawJsonOf } from '../../core/http/json-body.ts';
import type { Database } from '../../storage/schema.ts';

/** What a call is known by: the service and hook, the patient and client, and how it ended. */
interface CallFacts {
  serviceId: string;
  hook: string;
  hookInstance: string;
  patientId: string | null;
  clientIss: string | null;
  status: number;
  durationMs: number;
}

export interface CallRecord extends CallFacts {
  request: unknown;
  response: unknown;
}

export interface CallSummary extends CallFacts {
  id: string;
  cards: number;
  systemActions: number;
  createdAt: string;
}

export interface CallDetail extends CallSummary {
  request: unknown;
  response: unknown;
}

/**
 * The request without secrets: the FHIR access token is replaced by "[redacted]". Only the two objects on that
 * path are copied (the caller's request is never changed); the rest (prefetch, context) is shared, since the audit
 * only serialises it. A deep clone of a 15 KB prefetch cost ~5 % of an order-sign call.
 */
export function redactRequest(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req;
  const auth = (req as Record<string, unknown>).fhirAuthorization;
  if (!auth || typeof auth !== 'object' || !('access_token' in auth)) return req;
  return { ...req, fhirAuthorization: { ...auth, access_token: '[redacted]' } };
}

/**
 * The request as stored: the body's own JSON text when the parser kept it and there is no token to redact (the usual
 * call; no second serialisation of the prefetch), else the redacted request serialised.
 */
function requestJson(req: unknown): string {
  const redacted = redactRequest(req);
  return (redacted === req ? rawJsonOf(req) : undefined) ?? JSON.stringify(redacted);
}

function count(response: unknown, key: 'cards' | 'systemActions'): number {
  const v = (response as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? v.length : 0;
}

type Row = Database['cds_calls'];

/** How long a queued audit row may wait, and the most rows one INSERT carries (13 bound values each). */
export const FLUSH_MS = 20;
const MAX_BATCH = 200;

interface Queued {
  id: string;
  c: CallRecord;
  createdAt: string;
}

function rowOf({ id, c, createdAt }: Queued): Insertable<Row> {
  return {
    id,
    service_id: c.serviceId,
    hook: c.hook,
    hook_instance: c.hookInstance,
    patient_id: c.patientId,
    client_iss: c.clientIss,
    status: c.status,
    duration_ms: Math.round(c.durationMs * 100) / 100,
    cards: count(c.response, 'cards'),
    system_actions: count(c.response, 'systemActions'),
    request_json: requestJson(c.request),
    response_json: JSON.stringify(c.response ?? null),
    created_at: createdAt,
  };
}

function summary(r: Row): CallSummary {
  return {
    id: r.id,
    serviceId: r.service_id,
    hook: r.hook,
    hookInstance: r.hook_instance,
    patientId: r.patient_id,
    clientIss: r.client_iss,
    status: Number(r.status),
    durationMs: Number(r.duration_ms),
    cards: Number(r.cards),
    systemActions: Number(r.system_actions),
    createdAt: r.created_at,
  };
}

export function createAuditLog(db: Kysely<Database>, logger?: Logger) {
  let queue: Queued[] = [];
  let timer: NodeJS.Timeout | null = null;
  /** The write in progress (writes never overlap, so rows land in call order). */
  let writing: Promise<void> = Promise.resolve();

  async function write(batch: Queued[]): Promise<void> {
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const rows = batch.slice(i, i + MAX_BATCH);
      try {
        await db.insertInto('cds_calls').values(rows.map(rowOf)).execute();
      } catch (err) {
        // The answers have gone out; say how many rows were lost and why (ids only, never bodies).
        logger?.error({ cdsCalls: rows.map((r) => r.id), error: (err as Error).message }, 'CDS audit rows could not be written');
      }
    }
  }

  /** Writes everything queued so far; resolves once it is in the database. */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    writing = writing.then(() => (batch.length ? write(batch) : undefined));
    return writing;
  }

  return {
    /** Queues the call's row and returns its id; the row is written within FLUSH_MS (see the file comment). */
    record(c: CallRecord): string {
      const id = newId('cds');
      queue.push({ id, c, createdAt: nowIso() });
      if (queue.length >= MAX_BATCH) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_MS);
        timer.unref();
      }
      return id;
    },

    flush,

    /** Newest first; `cursor` is the last id of the previous page. */
    async list(q: { limit?: number; cursor?: string; serviceId?: string; patientId?: string }): Promise<{ items: CallSummary[]; nextCursor: string | null }> {
      await flush();
      const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
      let query = db.selectFrom('cds_calls').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (q.cursor) query = query.where('id', '<', q.cursor);
      if (q.serviceId) query = query.where('service_id', '=', q.serviceId);
      if (q.patientId) query = query.where('patient_id', '=', q.patientId);
      const rows = await query.execute();
      const items = rows.slice(0, limit).map(summary);
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    async get(id: string): Promise<CallDetail> {
      await flush();
      const r = await db.selectFrom('cds_calls').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) throw new AppError('CDS_CALL_NOT_FOUND', `No CDS hook call ${id}. List calls with GET /api/v1/cds/calls.`);
      return { ...summary(r), request: JSON.parse(r.request_json), response: JSON.parse(r.response_json) };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
