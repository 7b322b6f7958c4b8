/**
 * The scale-out queue: BullMQ on Redis carries job ids to workers in any process or machine
 * (`sagebrush worker`), while job rows, progress and logs stay in the metadata DB like the embedded
 * queue. Events travel on a Redis pub/sub channel so an API process streams progress of jobs running
 * elsewhere; cancel requests reach remote workers through the DB (`cancel_requested`, polled).
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import { DbJobQueue, type QueueOptions } from './base.ts';
import { LocalEventBus, type EventBus } from './support.ts';
import type { Job, JobEvent } from './types.ts';

export interface BullMqQueueOptions extends QueueOptions {
  url: string;
  /** BullMQ queue name (default 'sagebrush-jobs'). */
  queueName?: string;
  /** Redis key prefix (default 'sagebrush'); tests use a unique one. */
  prefix?: string;
}

const redisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Publishes to Redis; subscribers in this process get every process's events from the channel. */
class RedisEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly logger?: Logger,
  ) {
    sub.on('message', (ch: string, msg: string) => {
      if (ch !== channel) return;
      try {
        this.local.publish(JSON.parse(msg) as JobEvent);
      } catch {
        // not ours
      }
    });
  }

  async start(): Promise<void> {
    await this.sub.subscribe(this.channel);
  }

  publish(event: JobEvent): void {
    this.pub.publish(this.channel, JSON.stringify(event)).catch((err: unknown) => this.logger?.warn({ err }, 'could not publish a job event'));
  }

  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void {
    return this.local.subscribe(listener, jobId);
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}

export class BullMqJobQueue extends DbJobQueue {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private readonly conns: Redis[];
  private worker: Worker | undefined;

  private constructor(
    db: Kysely<Database>,
    private readonly options: BullMqQueueOptions,
    conn: Redis,
    sub: Redis,
    bus: RedisEventBus,
  ) {
    super(db, bus, options);
    this.conns = [conn, sub];
    // BullMQ makes its own connections (with its own ioredis) from the URL, and closes them.
    this.queue = new Queue(this.queueName, { connection: { url: options.url, ...redisOptions }, prefix: this.prefix });
  }

  private get queueName(): string {
    return this.options.queueName ?? 'sagebrush-jobs';
  }

  private get prefix(): string {
    return this.options.prefix ?? 'sagebrush';
  }

  /** Connects (failing fast with QUEUE_UNAVAILABLE when Redis does not answer) and subscribes to events. */
  static async open(db: Kysely<Database>, options: BullMqQueueOptions): Promise<BullMqJobQueue> {
    const probe = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
    probe.on('error', () => {}); // its failure is connect()'s / ping()'s rejection below
    try {
      await probe.connect();
      await probe.ping();
    } catch (err) {
      throw new AppError('QUEUE_UNAVAILABLE', `Cannot reach Redis at ${redact(options.url)}: ${(err as Error).message}`, { cause: err });
    } finally {
      probe.disconnect();
    }
    const conn = new Redis(options.url, redisOptions);
    const sub = conn.duplicate();
    // ioredis reconnects by itself; without a listener each socket error (e.g. EPIPE while Redis restarts or the
    // queue closes) is printed as an "Unhandled error event"
    for (const c of [conn, sub]) c.on('error', (err: Error) => options.logger?.warn({ err }, 'Redis connection error (ioredis reconnects)'));
    const channel = `${options.prefix ?? 'sagebrush'}:${options.queueName ?? 'sagebrush-jobs'}:events`;
    const bus = new RedisEventBus(conn, sub, channel, options.logger);
    await bus.start();
    return new BullMqJobQueue(db, options, conn, sub, bus);
  }

  /** Adds the BullMQ job that carries this attempt of the job; times out rather than hang while Redis is down. */
  private async add(job: Job): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // ioredis queues commands while Redis is down; do not let an enqueue hang on that.
      await Promise.race([
        // One BullMQ job per attempt: a re-queued job gets a fresh id (BullMQ ignores duplicate ids).
        this.queue.add(job.type, { jobId: job.id }, {
          jobId: `${job.id}-a${job.attempts}`, removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 },
        }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 10 s')), 10_000))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  protected async dispatch(job: Job): Promise<void> {
    try {
      await this.add(job);
    } catch (err) {
      const failed = await this.store.failQueued(job.id, { code: 'QUEUE_UNAVAILABLE', message: 'Redis did not accept the job' }).catch(() => undefined);
      if (failed) this.emit(failed);
      throw new AppError('QUEUE_UNAVAILABLE', `Cannot queue job ${job.id} on Redis: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Besides the shared recovery: a row queued for longer than the lease whose BullMQ job may be missing (its
   * enqueuer was killed between the row's insert and the add, or Redis lost its memory) is added again. BullMQ
   * ignores an id it still holds, and the guarded claim runs a row once, so a re-send never runs a job twice.
   */
  protected override async recoverStale(): Promise<void> {
    await super.recoverStale();
    const before = new Date(Date.now() - this.timings.leaseMs).toISOString();
    for (const job of await this.store.queuedBefore(before)) {
      await this.add(job).catch((err: unknown) => this.logger?.warn({ err, jobId: job.id }, 'could not re-send a queued job to Redis'));
    }
  }

  protected async startDelivery(): Promise<void> {
    this.worker = new Worker<{ jobId: string }>(
      this.queueName,
      async (bullJob) => {
        // Not queued any more: cancelled meanwhile, or another delivery of the same job claimed it.
        const job = await this.tracked(this.store.claim(bullJob.data.jobId));
        if (job) await this.execute(job);
      },
      { connection: { url: this.options.url, ...redisOptions }, prefix: this.prefix, concurrency: this.concurrency },
    );
    this.worker.on('error', (err) => this.logger?.warn({ err }, 'BullMQ worker error'));
    await this.worker.waitUntilReady();
    this.startWatch();
  }

  protected async stopDelivery(): Promise<void> {
    // Handlers have settled or were recorded as interrupted: do not wait for stragglers.
    await this.worker?.close(true);
    this.worker = undefined;
  }

  protected override async closeBackend(): Promise<void> {
    await this.queue.close();
    await Promise.all(this.conns.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

export function openBullMqQueue(db: Kysely<Database>, options: BullMqQueueOptions): Promise<BullMqJobQueue> {
  return BullMqJobQueue.open(db, options);
}
