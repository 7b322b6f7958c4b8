/**
 * Stage logs for training jobs: a job's progress messages ("reading training data", "embedding 40/170 images",
 * "evaluating on 36 documents") are kept as log lines (the queue's `ctx.log`), so a finished job's page tells what
 * it did and how long each stage took. Only new stages are logged, plus at most one line per `everyMs` within a
 * long stage: a training loop reporting every epoch does not flood the log.
 */
import type { JobContext } from '../../jobs/types.ts';

/** The stage a message belongs to: the message with its numbers blanked ("epoch 3/20" and "epoch 4/20" are one stage). */
export function stageOf(message: string): string {
  return message.replace(/\d+(?:[.,]\d+)*/g, '#');
}

export function withStageLog<P>(ctx: JobContext<P>, everyMs = 5000): JobContext<P> {
  let stage = '';
  let loggedAt = 0;
  return {
    ...ctx,
    progress(fraction, message) {
      if (message) {
        const key = stageOf(message);
        const now = Date.now();
        if (key !== stage || now - loggedAt >= everyMs) {
          stage = key;
          loggedAt = now;
          // A failed log write must not fail the job; the progress still lands.
          void ctx.log(message).catch(() => undefined);
        }
      }
      return ctx.progress(fraction, message);
    },
  };
}
