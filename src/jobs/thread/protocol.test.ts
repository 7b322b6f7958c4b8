/** The thread's synchronous cancel path: a handler busy in a loop sees a cancel the moment it reads its signal. */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PostedProgress, cancelWatcher, liveSignal, sendControl, type ControlMessage } from './protocol.ts';

describe('worker thread protocol', () => {
  it('delivers a cancel to a synchronous loop through the signal, without the event loop', () => {
    const { port1, port2 } = new MessageChannel();
    const epoch = new SharedArrayBuffer(4);
    const controller = new AbortController();
    const seen: ControlMessage[] = [];
    const watcher = cancelWatcher(epoch, port2, (m) => {
      seen.push(m);
      controller.abort(new Error('cancelled'));
    });
    const signal = liveSignal(controller.signal, watcher.poll);
    let steps = 0;
    // One synchronous block: no await, no timer can run in between.
    for (; steps < 1_000_000 && !signal.aborted; steps++) if (steps === 1000) sendControl(epoch, port1, { type: 'cancel', id: 'job_1' });
    expect(steps).toBe(1001);
    expect(seen).toEqual([{ type: 'cancel', id: 'job_1' }]);
    expect(() => signal.throwIfAborted()).toThrow('cancelled');
    watcher.close();
    port1.close();
  });

  it('posts progress at once, then at most once per interval; stop drops a pending post (the outcome carries it)', async () => {
    const posts: Array<[number, string]> = [];
    const p = new PostedProgress((v, m) => posts.push([v, m]), 100);
    await p.update(0.1, 'a');
    await p.update(0.2, 'b');
    await p.update(2);
    expect(posts).toEqual([[0.1, 'a']]);
    await new Promise((r) => setTimeout(r, 150));
    expect(posts).toEqual([[0.1, 'a'], [1, 'b']]);
    await p.update(0.5, 'c');
    await p.stop();
    await p.update(0.9, 'd');
    await new Promise((r) => setTimeout(r, 150));
    expect(posts.length).toBe(2);
    expect(p.value).toBe(0.5);
  });
});
