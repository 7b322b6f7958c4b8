/**
 * What the job worker thread and its host (the `serve` / `worker` process's main thread) say to each other, and
 * the two pieces that let a handler computing synchronously in the thread still report progress and notice a
 * cancel: progress is posted at once (postMessage is synchronous; the host writes it), and the handler's signal
 * checks a shared counter whenever it is read, then takes the pending cancels with receiveMessageOnPort.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Config } from '../../core/config.ts';
import { ThrottledProgress, type QueueTimings } from '../support.ts';
import type { Job, JobEvent } from '../types.ts';

/** The part of a claimed job the host keeps, to heartbeat it and to record it interrupted if the thread dies. */
export type RunInfo = Pick<Job, 'id' | 'type' | 'attempts' | 'idempotent' | 'cancelRequested' | 'progress'>;

/** Thread → host, on the worker's parentPort. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'event'; event: JobEvent }
  | { type: 'started'; run: RunInfo }
  | { type: 'progress'; id: string; attempt: number; progress: number; message: string }
  | { type: 'finished'; id: string }
  | { type: 'model-changed'; modelId: string }
  | { type: 'stopped' };

/** Host → thread on the control port, also read synchronously (see `cancelWatcher`). */
export type ControlMessage = { type: 'cancel'; id: string } | { type: 'shutdown' };

export interface ThreadData {
  /** file: URL of the thread's entry module (app/jobThread.ts), imported by bootstrap.mjs. */
  entryUrl: string;
  config: Config;
  concurrency: number;
  timings: QueueTimings;
  /** Int32Array over a SharedArrayBuffer: [0] counts control messages sent. */
  epoch: SharedArrayBuffer;
  control: MessagePort;
}

/**
 * Reads control messages without the event loop: `poll()` costs one atomic load when nothing is pending, so a
 * signal may call it on every read. Messages that arrive while the loop is free come through `port.on`.
 */
export function cancelWatcher(epoch: SharedArrayBuffer, port: MessagePort, handle: (m: ControlMessage) => void): { poll(): void; close(): void } {
  const counter = new Int32Array(epoch);
  let seen = 0;
  const drain = () => {
    seen = Atomics.load(counter, 0);
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) handle(m.message as ControlMessage);
  };
  port.on('message', (m: ControlMessage) => handle(m));
  return {
    poll() {
      if (Atomics.load(counter, 0) !== seen) drain();
    },
    close: () => port.close(),
  };
}

/** Sends a control message and bumps the counter the thread's signals watch. */
export function sendControl(epoch: SharedArrayBuffer, port: MessagePort, message: ControlMessage): void {
  port.postMessage(message);
  Atomics.add(new Int32Array(epoch), 0, 1);
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

/**
 * The same AbortSignal, whose `aborted` and `throwIfAborted()` first run `poll` (which may abort it). Training
 * loops check `signal.aborted` between steps, so a cancel lands within one step even while the loop is busy.
 */
export function liveSignal(signal: AbortSignal, poll: () => void): AbortSignal {
  Object.defineProperty(signal, 'aborted', { configurable: true, get: () => (poll(), abortedGetter.call(signal) as boolean) });
  Object.defineProperty(signal, 'throwIfAborted', { configurable: true, value: () => (poll(), AbortSignal.prototype.throwIfAborted.call(signal)) });
  return signal;
}

/** Progress in the thread: posted to the host at once (postMessage is synchronous), throttled; the host writes it. */
export class PostedProgress extends ThrottledProgress {
  constructor(private readonly post: (progress: number, message: string) => void, intervalMs: number) {
    super(intervalMs);
  }

  protected async write(progress: number, message: string): Promise<void> {
    this.post(progress, message);
  }
}
