/**
 * Which process holds a job or an upload, so a restart can tell at once that the holder is dead instead of
 * waiting for its heartbeat to go stale. An owner is {pid, start, host}: `host` is the host name plus the kernel
 * boot id (pids only mean something within one boot of one machine) and `start` the process's start time from
 * /proc/<pid>/stat (shared by all threads of a process, different for a later process that reuses the pid, e.g.
 * pid 1 in a restarted container). A holder is provably dead when it ran on this host and boot and its pid is
 * gone or now belongs to a process started at another time. Anything else (another machine, no /proc) is left
 * to the heartbeat timeout.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessOwner {
  pid: number;
  /** Start time in clock ticks since boot ('' where /proc is missing). */
  start: string;
  host: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Field 22 of /proc/<pid>/stat; '' when unreadable. The command name (field 2) may hold spaces and ')'. */
export function processStart(pid: number): string {
  const stat = readText(`/proc/${pid}/stat`);
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19] ?? '';
}

function hostKey(): string {
  const boot = readText('/proc/sys/kernel/random/boot_id');
  return boot ? `${hostname()}/${boot}` : hostname();
}

export const SELF_OWNER: Readonly<ProcessOwner> = Object.freeze({ pid: process.pid, start: processStart(process.pid), host: hostKey() });

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
  if (!o || typeof o.pid !== 'number' || typeof o.start !== 'string' || typeof o.host !== 'string') return undefined;
  return { pid: o.pid, start: o.start, host: o.host };
}

/** True only when the owner is certainly not running any more (see the file comment). */
export function ownerIsDead(value: unknown): boolean {
  const o = parseOwner(value);
  if (!o || o.host !== SELF_OWNER.host) return false;
  if (o.pid === SELF_OWNER.pid) return o.start !== '' && SELF_OWNER.start !== '' && o.start !== SELF_OWNER.start;
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists (another user's process)
  }
  const now = processStart(o.pid);
  return o.start !== '' && now !== '' && now !== o.start; // the pid was reused by a later process
}
