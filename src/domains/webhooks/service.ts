/**
 * Webhooks (issue 14): a registered URL gets a signed POST for each event it subscribes to. Events are written to a
 * durable outbox (webhook_deliveries) inside the transaction of the change they report (`record`), and a small loop
 * sends them off the request path: claimed one sender at a time, retried with exponential backoff on timeouts,
 * connection errors and 5xx (bounded attempts), and kept as a delivery log. After the last attempt a delivery is
 * `failed` with a documented code naming the field (`url`).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { Page } from '../../storage/pagination.ts';
import { checkWebhookUrl, resolveWebhookHost, sendWebhook, type SendOutcome, type WebhookPolicy } from './send.ts';
import * as store from './store.ts';
import type { Delivery, Webhook } from './store.ts';

export type { Delivery, Webhook };

export interface WebhookOptions {
  /** One attempt's limit (default 10 s). */
  timeoutMs: number;
  /** Attempts before a delivery is failed (default 5). */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubled for each later one (default 10 s), capped at maxBackoffMs (default 10 min). */
  backoffMs: number;
  maxBackoffMs: number;
  /** How often the loop looks for due deliveries, e.g. written by another process (default 1 s). */
  pollMs: number;
}

const DEFAULTS: WebhookOptions = { timeoutMs: 10_000, maxAttempts: 5, backoffMs: 10_000, maxBackoffMs: 600_000, pollMs: 1000 };
const BATCH = 20;

export interface RegisterInput {
  url: string;
  events: string[];
  secret?: string;
  description?: string;
  /** Send a signed `ping` first and store nothing unless it is answered 2xx. */
  verify?: boolean;
}

export interface WebhookService {
  register(input: RegisterInput, by: string): Promise<Webhook & { secret: string }>;
  list(): Promise<Webhook[]>;
  get(id: string): Promise<Webhook>;
  delete(id: string): Promise<void>;
  deliveries(q: { webhookId?: string; status?: string; limit?: number; cursor?: string }): Promise<Page<Delivery>>;
  /** Queues `event` for every active webhook subscribed to it, on `db` (the caller's transaction). */
  record(db: Kysely<Database>, event: string, data: Record<string, unknown>): Promise<void>;
  /** After the recording transaction committed: send soon (when the loop runs in this process). */
  committed(): void;
  /** Sends every due delivery once (one attempt each); resolves when they are done. */
  drainOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export interface WebhookServiceDeps {
  db: Kysely<Database>;
  logger?: Logger;
  /** Event names a webhook may subscribe to ("*" means all). */
  events: readonly string[];
  policy: WebhookPolicy;
  options?: Partial<WebhookOptions>;
}

const invalid = (field: string, message: string, fix: string) => new AppError('WEBHOOK_INVALID', message, { problems: [{ field, problem: message, fix }] });

export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { db, policy } = deps;
  const opts: WebhookOptions = { ...DEFAULTS, ...deps.options };
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let draining: Promise<number> | undefined;
  let again = false;

  function checkEvents(events: string[]): string[] {
    if (!Array.isArray(events) || events.length === 0) throw invalid('events', 'events is empty.', `Subscribe to one or more of: ${deps.events.join(', ')} (or "*").`);
    events.forEach((e, i) => {
      if (e !== '*' && !deps.events.includes(e)) throw invalid(`events[${i}]`, `Unknown event "${e}".`, `Use one of: ${deps.events.join(', ')} (or "*").`);
    });
    return [...new Set(events)];
  }

  function backoff(attempt: number): number {
    return Math.min(opts.maxBackoffMs, opts.backoffMs * 2 ** (attempt - 1));
  }

  async function attempt(row: Awaited<ReturnType<typeof store.dueDeliveries>>[number]): Promise<void> {
    const hook = await store.findWebhook(db, row.webhook_id);
    if (!hook) return;
    const attempts = Number(row.attempts) + 1;
    const out: SendOutcome = await sendWebhook({ url: hook.url, secret: hook.secret, body: row.payload_json, event: row.event, deliveryId: row.id, timeoutMs: opts.timeoutMs }, policy);
    const now = new Date();
    if (out.ok) {
      await store.finishAttempt(db, row.id, { status: 'succeeded', attempts, nextAttemptAt: now.toISOString(), responseCode: out.status, errorCode: null, lastError: null, now: now.toISOString() });
      return;
    }
    const retry = out.retry && attempts < opts.maxAttempts;
    const lastError = retry ? out.message : `${out.message} Gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}.`;
    await store.finishAttempt(db, row.id, {
      status: retry ? 'pending' : 'failed',
      attempts,
      nextAttemptAt: new Date(now.getTime() + (retry ? backoff(attempts) : 0)).toISOString(),
      responseCode: out.status,
      errorCode: out.code,
      lastError,
      now: now.toISOString(),
    });
    if (!retry) deps.logger?.warn({ webhook: hook.id, delivery: row.id, code: out.code }, `webhook delivery failed: ${lastError}`);
    else schedule(backoff(attempts));
  }

  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = new Date();
      const stale = new Date(now.getTime() - Math.max(60_000, opts.timeoutMs * 3)).toISOString();
      const rows = await store.dueDeliveries(db, now.toISOString(), stale, BATCH);
      const claimed = [];
      for (const r of rows) if (await store.claimDelivery(db, r, nowIso())) claimed.push(r);
      if (claimed.length === 0) return sent;
      await Promise.all(claimed.map((r) => attempt(r).catch((err: unknown) => deps.logger?.error({ err, delivery: r.id }, 'webhook delivery attempt crashed'))));
      sent += claimed.length;
    }
  }

  function drainOnce(): Promise<number> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = drain().finally(() => {
      draining = undefined;
      if (again && running) {
        again = false;
        void drainOnce();
      }
    });
    return draining;
  }

  /** A wake-up sooner than the poll (a retry that is due in less than pollMs). */
  function schedule(ms: number): void {
    if (!running || ms >= opts.pollMs) return;
    setTimeout(() => void drainOnce().catch(() => undefined), ms).unref();
  }

  return {
    async register(input, by) {
      const url = checkWebhookUrl(String(input.url ?? ''), policy);
      const events = checkEvents(input.events);
      await resolveWebhookHost(url, policy);
      if (input.secret !== undefined && input.secret.length < 16) throw invalid('secret', 'secret must be at least 16 characters.', 'Send a longer random secret, or leave it out to have one generated.');
      const secret = input.secret ?? randomBytes(24).toString('base64url');
      const id = newId('whk');
      if (input.verify) {
        const body = JSON.stringify({ id: newId('whd'), event: 'ping', createdAt: nowIso(), data: { webhookId: id } });
        const out = await sendWebhook({ url: url.href, secret, body, event: 'ping', deliveryId: id, timeoutMs: opts.timeoutMs }, policy);
        if (!out.ok) throw new AppError(out.code, `The webhook was not stored: ${out.message}`, { problems: [{ field: 'url', problem: out.message, fix: 'Check that the receiver is up and answers a POST with 2xx within the timeout, or register without verify.' }] });
      }
      const row = { id, url: url.href, events_json: JSON.stringify(events), secret, active: 1, description: (input.description ?? '').slice(0, 500), created_by: by, created_at: nowIso() };
      await db.insertInto('webhooks').values(row).execute();
      return { ...store.toWebhook(row), secret };
    },
    list: () => store.listWebhooks(db),
    async get(id) {
      const row = await store.findWebhook(db, id);
      if (!row) throw new AppError('WEBHOOK_NOT_FOUND', `No webhook with id ${id}. List them with GET /api/v1/webhooks.`);
      return store.toWebhook(row);
    },
    async delete(id) {
      const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new AppError('WEBHOOK_NOT_FOUND', `No webhook with id ${id}. List them with GET /api/v1/webhooks.`);
    },
    deliveries: (q) => store.listDeliveries(db, q),
    async record(trx, event, data) {
      const hooks = await trx.selectFrom('webhooks').select(['id', 'events_json']).where('active', '=', 1).execute();
      const at = nowIso();
      for (const h of hooks) {
        const events = JSON.parse(h.events_json) as string[];
        if (!events.includes(event) && !events.includes('*')) continue;
        const id = newId('whd');
        const payload = JSON.stringify({ id, event, createdAt: at, data });
        await trx.insertInto('webhook_deliveries').values({ id, webhook_id: h.id, event, payload_json: payload, status: 'pending', attempts: 0, next_attempt_at: at, response_code: null, error_code: null, last_error: null, created_at: at, updated_at: at }).execute();
      }
    },
    committed() {
      if (running) setImmediate(() => void drainOnce().catch(() => undefined));
    },
    drainOnce,
    start() {
      if (running) return;
      running = true;
      timer = setInterval(() => void drainOnce().catch((err: unknown) => deps.logger?.error({ err }, 'webhook delivery loop failed')), opts.pollMs);
      timer.unref();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      timer = undefined;
      await draining?.catch(() => undefined);
    },
  };
}
