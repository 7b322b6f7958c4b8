import { describe, expect, it } from 'vitest';
import { trainOptionsSchema } from './schema.ts';

describe('text training options (issue 18)', () => {
  it('accepts the NB and stacking options and rejects one inner fold', () => {
    expect(trainOptionsSchema.parse({ nbWords: false, stackFolds: 0, stackC: 0.5, stackRefit: true })).toEqual({ nbWords: false, stackFolds: 0, stackC: 0.5, stackRefit: true });
    const bad = trainOptionsSchema.safeParse({ stackFolds: 1 });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/use 0 \(off\) or 2–10 inner folds/);
    expect(trainOptionsSchema.safeParse({ stackC: 0 }).success).toBe(false);
  });
});
