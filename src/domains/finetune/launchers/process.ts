/**
 * A process group started through guard.py (it ends the group if this process dies), its output split into lines,
 * and a cancel that sends SIGTERM to the whole group and SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const GUARD = resolve(import.meta.dirname, 'guard.py');

export interface GroupExit { exitCode: number | null; signal: string | null; cancelled: boolean; tail: string[] }

export function startGroup(python: string, argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; onLine(line: string): void; graceMs?: number }) {
  const child = spawn(python, [GUARD, '--', ...argv], { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const take = (line: string) => {
    tail.push(line);
    if (tail.length > 200) tail.shift();
    options.onLine(line);
  };
  createInterface({ input: child.stdout }).on('line', take);
  createInterface({ input: child.stderr }).on('line', take);
  let cancelled = false;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const done = new Promise<GroupExit>((res) => {
    child.on('error', (err) => { take(`launch failed: ${err.message}`); });
    child.on('close', (exitCode, signal) => res({ exitCode, signal, cancelled, tail }));
  });
  return {
    pid: child.pid ?? -1,
    done,
    async cancel() {
      cancelled = true;
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), options.graceMs ?? 10_000);
      await done;
      clearTimeout(timer);
      kill('SIGKILL'); // workers that ignored SIGTERM
    },
  };
}
