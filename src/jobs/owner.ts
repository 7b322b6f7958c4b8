/**
 * Which process holds a job or an upload, so a restart can tell at once that the holder is dead instead of
 * waiting for its heartbeat to go stale. An owner is {instance, pid, host}: `instance` is random per process
 * start, `host` is the host name plus the kernel boot id (pids are only comparable within one boot of one
 * machine). A holder is provably dead when it ran on this host and boot and its pid is gone, or its pid is
 * ours but its instance is not (a previous start of this process, e.g. pid 1 in a restarted container).
 * Anything else (another machine, a pid that exists) is left to the heartbeat timeout.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessOwner {
  instance: string;
  pid: number;
  host: string;
}

function hostKey(): string {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // not Linux: the host name alone (a reboot then keeps old pids "alive" until the heartbeat timeout)
  }
  return boot ? `${hostname()}/${boot}` : hostname();
}

export const SELF_OWNER: Readonly<ProcessOwner> = Object.freeze({ instance: randomBytes(8).toString('hex'), pid: process.pid, host: hostKey() });

/** The owner stamp stored with a claimed job or a reserved upload. */
export const SELF_OWNER_JSON = JSON.stringify(SELF_OWNER);

export function parseOwner(value: unknown): ProcessOwner | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const o = v as Partial<ProcessOwner> | null;
  if (!o || typeof o.instance !== 'string' || typeof o.pid !== 'number' || typeof o.host !== 'string') return undefined;
  return { instance: o.instance, pid: o.pid, host: o.host };
}

/** True only when the owner is certainly not running any more (see the file comment). */
export function ownerIsDead(value: unknown): boolean {
  const o = parseOwner(value);
  if (!o || o.instance === SELF_OWNER.instance || o.host !== SELF_OWNER.host) return false;
  if (o.pid === SELF_OWNER.pid) return true;
  try {
    process.kill(o.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists (another user's process)
  }
}
