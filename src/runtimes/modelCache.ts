/**
 * Loads each model once and shares it between requests and jobs. Concurrent first requests share one
 * load (the promise is cached, not the result); a failed load is not cached. `evict` disposes a model
 * when its endpoint or version is deleted.
 */
export interface ModelCache<T> {
  get(id: string): Promise<T>;
  has(id: string): boolean;
  evict(id: string): Promise<void>;
  clear(): Promise<void>;
  readonly size: number;
}

export function createModelCache<T>(options: { load(id: string): Promise<T>; dispose?(value: T): Promise<void> | void; maxEntries?: number }): ModelCache<T> {
  const entries = new Map<string, Promise<T>>();
  const maxEntries = options.maxEntries ?? 16;

  async function dispose(promise: Promise<T> | undefined): Promise<void> {
    if (!promise || !options.dispose) return;
    try {
      await options.dispose(await promise);
    } catch {
      /* a model that failed to load has nothing to dispose */
    }
  }

  return {
    get(id) {
      const existing = entries.get(id);
      if (existing) {
        // Map order doubles as LRU order.
        entries.delete(id);
        entries.set(id, existing);
        return existing;
      }
      const loading = options.load(id);
      entries.set(id, loading);
      loading.catch(() => {
        if (entries.get(id) === loading) entries.delete(id);
      });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        const p = entries.get(oldest);
        entries.delete(oldest);
        void dispose(p);
      }
      return loading;
    },
    has: (id) => entries.has(id),
    async evict(id) {
      const p = entries.get(id);
      entries.delete(id);
      await dispose(p);
    },
    async clear() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(dispose));
    },
    get size() {
      return entries.size;
    },
  };
}
