/**
 * The UI's API types come from the server (types.ts): a field the server does not send, or a value it cannot
 * answer, is a type error in `npm run typecheck`. The `@ts-expect-error` lines below fail the type check the day
 * they stop being errors (e.g. someone re-declares a loose hand-written copy of these types).
 */
import { describe, expect, it } from 'vitest';
import { isTerminal, TERMINAL_STATUSES, type DatasetVersion, type Job, type TrainingCheck } from './types.ts';
import type { Job as ServerJob } from '../../../src/jobs/types.ts';

describe('API types shared with the server', () => {
  it('reads job states as the server defines them', () => {
    const job = { status: 'running' } as Pick<Job, 'status'>;
    // @ts-expect-error the server has no 'paused' job state
    const paused: Job['status'] = 'paused';
    // @ts-expect-error a dataset version has no `rows` field (it is `rowCount`)
    const rows: DatasetVersion['rows'] = 0;
    // @ts-expect-error a training check's format is resolved: never 'auto'
    const format: TrainingCheck['format'] = 'auto';
    const same: ServerJob = {} as Job;
    expect([paused, rows, format, same].length).toBe(4);
    expect(isTerminal(job.status)).toBe(false);
    expect(TERMINAL_STATUSES).toEqual(['succeeded', 'failed', 'cancelled']);
  });
});
