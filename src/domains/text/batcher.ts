/**
 * Dynamic micro-batching for real-time classification. Requests that arrive while the event loop is
 * busy are scored together in one `predict` call: feature extraction and scoring cost far less per
 * document in a batch than one by one, so under concurrent load the queueing delay shrinks instead of
 * growing with every request. A lone request still goes out on the next turn of the event loop.
 */
export interface MicroBatcher<R> {
  run(texts: string[]): Promise<R[]>;
}

interface Pending<R> {
  texts: string[];
  resolve(results: R[]): void;
  reject(err: unknown): void;
}

export function createMicroBatcher<R>(score: (texts: string[]) => Promise<R[]>, maxBatch = 256): MicroBatcher<R> {
  const pending: Pending<R>[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch: Pending<R>[] = [];
    let size = 0;
    while (pending.length > 0 && (batch.length === 0 || size + pending[0]!.texts.length <= maxBatch)) {
      const p = pending.shift()!;
      batch.push(p);
      size += p.texts.length;
    }
    if (pending.length > 0) schedule();
    try {
      const results = await score(batch.flatMap((p) => p.texts));
      let offset = 0;
      for (const p of batch) {
        p.resolve(results.slice(offset, offset + p.texts.length));
        offset += p.texts.length;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    run(texts) {
      return new Promise<R[]>((resolve, reject) => {
        pending.push({ texts, resolve, reject });
        schedule();
      });
    },
  };
}
