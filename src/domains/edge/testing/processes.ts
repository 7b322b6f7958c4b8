/**
 * Real processes for the edge end-to-end test and bench: `sagebrush serve` on a given data dir and port (so it can be
 * killed and restarted at the same address), and `sagebrush agent` processes. stderr is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface Proc {
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** `sagebrush serve` on 127.0.0.1:port (0 = any); resolves with its URL once it listens. */
export async function serve(dataDir: string, port = 0): Promise<Proc & { url: string }> {
  const p = run(['--data-dir', dataDir, 'serve', '--host', '127.0.0.1', '--port', String(port)], { SAGEBRUSH_LOG_LEVEL: 'warn' });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s:\n${p.output()}`)), 120_000);
    const check = () => {
      const m = /Sagebrush is running at (http:\/\/\S+)/.exec(p.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    p.child.stdout!.on('data', check);
    p.child.stderr!.on('data', check);
    p.child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${p.output()}`)));
  });
  return { ...p, url };
}

export function agentProcess(o: { server: string; token: string; watch: string; data: string; device: string; extra?: string[] }): Proc {
  return run(['--token', o.token, 'agent', '--server', o.server, '--watch', o.watch, '--data', o.data, '--device', o.device, '--heartbeat-ms', '500', '--max-backoff-ms', '1000', ...(o.extra ?? [])]);
}
