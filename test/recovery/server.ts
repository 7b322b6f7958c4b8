/**
 * The real `sagebrush serve` in its own process on a given data dir, for crash tests: started with port 0, its
 * address read from the start-up line, its stderr (pino JSON logs) kept, and stopped with SIGKILL as a crash would.
 * `hold` loads ./hold.ts into the server, which freezes every job at its first progress report while the file
 * `<hold>/hold` exists, so the kill lands mid-job however fast the machine is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The messages of the log lines (pino JSON) that match. */
  logs(match: RegExp): string[];
  api<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  kill9(): Promise<void>;
}

export async function startServer(dataDir: string, options: { hold?: string; worker?: boolean; workers?: number } = {}): Promise<ServerProcess> {
  const args = ['--import', 'tsx', ...(options.hold ? ['--import', join(import.meta.dirname, 'hold.ts')] : []), join(ROOT, 'src/cli/main.ts'), '--data-dir', dataDir, 'serve', '--port', '0'];
  if (options.worker === false) args.push('--no-worker');
  const env = { ...process.env, NODE_NO_WARNINGS: '1', SAGEBRUSH_LOG_LEVEL: 'info', SAGEBRUSH_WORKER_CONCURRENCY: String(options.workers ?? 2), SB_TEST_HOLD_DIR: options.hold ?? '' };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 90 s:\n${err}`)), 90_000);
    const onData = () => {
      const m = /Sagebrush is running at (http:\/\/\S+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      resolve(m[1]!);
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (code ${code}) before listening:\n${err}`)));
  });
  return {
    url,
    child,
    stderr: () => err,
    logs: (match) => err.split('\n').flatMap((l) => {
      try {
        const msg = (JSON.parse(l) as { msg?: unknown }).msg;
        return typeof msg === 'string' && match.test(msg) ? [msg] : [];
      } catch {
        return []; // not a log line
      }
    }),
    async api(path, init) {
      const res = await fetch(`${url}${path}`, init);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: body as any };
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited; // reaped: its pid no longer exists
    },
  };
}

export function jsonPost(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function filePost(fileName: string, content: Buffer | string, fields: Record<string, string> = {}): RequestInit {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), fileName);
  return { method: 'POST', body: form };
}
