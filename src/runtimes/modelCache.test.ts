import { describe, expect, it } from 'vitest';
import { createModelCache } from './modelCache.ts';

describe('createModelCache', () => {
  it('loads once for concurrent callers and disposes on evict', async () => {
    let loads = 0;
    const disposed: string[] = [];
    const cache = createModelCache<{ id: string }>({
      load: async (id) => {
        loads++;
        await new Promise((r) => setTimeout(r, 5));
        return { id };
      },
      dispose: (v) => void disposed.push(v.id),
    });
    const [a, b] = await Promise.all([cache.get('m1'), cache.get('m1')]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    await cache.evict('m1');
    expect(disposed).toEqual(['m1']);
    await cache.get('m1');
    expect(loads).toBe(2);
  });

  it('does not cache failed loads', async () => {
    let calls = 0;
    const cache = createModelCache<number>({
      load: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return 42;
      },
    });
    await expect(cache.get('x')).rejects.toThrow('boom');
    expect(await cache.get('x')).toBe(42);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const disposed: number[] = [];
    const cache = createModelCache<number>({ load: async (id) => Number(id), dispose: (v) => void disposed.push(v), maxEntries: 2 });
    await cache.get('1');
    await cache.get('2');
    await cache.get('1');
    await cache.get('3');
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toEqual([2]);
    expect(cache.size).toBe(2);
  });
});
