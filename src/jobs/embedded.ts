/**
 * The embedded queue: jobs live in the metadata DB and run in this process, N at a time. Several
 * processes may share one database (e.g. `serve` and a `worker`): claims are atomic, and a short poll
 * picks up jobs enqueued elsewhere. Events reach subscribers in this process only (a worker thread relays its
 * events to its host, thread/host.ts); wait() also polls.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { DbJobQueue, type QueueOptions } from './base.ts';
import { LocalEventBus, type EventBus } from './support.ts';
import type { Job } from './types.ts';

export interface EmbeddedQueueOptions extends QueueOptions {
  /** Default: events reach subscribers in this process (a worker thread passes one that also tells its host). */
  events?: EventBus;
}

export class EmbeddedJobQueue extends DbJobQueue {
  readonly kind = 'embedded' as const;
  private active = 0;
  private pumping = false;
  private pumpAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<Database>, options: EmbeddedQueueOptions = {}) {
    super(db, options.events ?? new LocalEventBus(), options);
  }

  protected async dispatch(_job: Job): Promise<void> {
    if (this.workerStarted) void this.pump();
  }

  protected async startDelivery(): Promise<void> {
    this.startWatch(); // includes the first recovery sweep
    this.pollTimer = setInterval(() => void this.pump(), this.timings.pollMs);
    this.pollTimer.unref();
    void this.pump();
  }

  /** Claims queued jobs until every slot is busy or none are left. One pump at a time; a call during it re-runs it. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.workerStarted && this.active < this.concurrency) {
          const job = await this.tracked(this.store.claimNext([...this.handlers.keys()]));
          if (!job) break;
          this.active++;
          void this.execute(job).finally(() => {
            this.active--;
            void this.pump();
          });
        }
      } while (this.pumpAgain && this.workerStarted);
    } catch (err) {
      this.logger?.warn({ err }, 'could not claim a job; retrying on the next poll');
    } finally {
      this.pumping = false;
    }
  }

  protected async stopDelivery(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
