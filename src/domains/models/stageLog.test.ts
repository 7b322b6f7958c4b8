import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/types.ts';
import { stageOf, withStageLog } from './stageLog.ts';

function fakeCtx() {
  const logs: string[] = [];
  const progress: Array<[number, string | undefined]> = [];
  const ctx = {
    job: {} as JobContext<unknown>['job'],
    signal: new AbortController().signal,
    progress: async (f: number, m?: string) => void progress.push([f, m]),
    log: async (m: string) => void logs.push(m),
  } satisfies JobContext<unknown>;
  return { ctx, logs, progress };
}

describe('withStageLog', () => {
  it('logs each new stage once and passes every progress call through', async () => {
    const { ctx, logs, progress } = fakeCtx();
    const staged = withStageLog(ctx, 60_000);
    await staged.progress(0.01, 'reading training data');
    for (let e = 1; e <= 5; e++) await staged.progress(0.1 * e, `epoch ${e}/5`);
    await staged.progress(0.9, 'evaluating on 36 documents');
    await staged.progress(0.95);
    expect(logs).toEqual(['reading training data', 'epoch 1/5', 'evaluating on 36 documents']);
    expect(progress).toHaveLength(8);
  });

  it('logs a long stage again once its interval has passed', async () => {
    const { ctx, logs } = fakeCtx();
    const staged = withStageLog(ctx, 0);
    await staged.progress(0.1, 'embedding 1/10 images');
    await staged.progress(0.2, 'embedding 2/10 images');
    expect(logs).toEqual(['embedding 1/10 images', 'embedding 2/10 images']);
  });

  it('blanks numbers to find the stage', () => {
    expect(stageOf('embedding 12/170 images · 3.5 images/s')).toBe('embedding #/# images · # images/s');
  });
});
