/**
 * The benchmark side of bench/serve.ts: starts a bench server script (bench/*.server.ts) in its own Node process,
 * waits for its `{"port": N}` line, and stops it by closing its stdin (SIGKILL after 30 s), returning its last JSON
 * line (`{"peakRssMb": …}`). `SB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './text.peers.ts';

export interface BenchServer {
  port: number;
  child: ChildProcess;
  /** Idempotent; resolves with the server's last JSON line (its peak RSS) after it exits. */
  stop(): Promise<{ peakRssMb?: number }>;
}

export async function startBenchServer(script: string, dataDir: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const extra = process.env.SB_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(REPO_ROOT, 'bench', script), dataDir], {
    cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
  });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 60 s')), 60_000);
    rl.on('line', (line) => {
      lines.push(line);
      try {
        const msg = JSON.parse(line) as { port?: number };
        if (typeof msg.port === 'number') {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited (code ${code}) before listening`)));
  });
  let stopped: Promise<{ peakRssMb?: number }> | undefined;
  return {
    port,
    child,
    stop() {
      stopped ??= (async () => {
        child.stdin!.end();
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
        try {
          return JSON.parse(lines[lines.length - 1] ?? '{}') as { peakRssMb?: number };
        } catch {
          return {};
        }
      })();
      return stopped;
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1 (for a server whose own origin must be known before it starts). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('could not find a free port');
  return address.port;
}
