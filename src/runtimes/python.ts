/**
 * The Python runtime: finds an interpreter that can import torch and runs one product script in it, reading
 * JSON-lines progress from its stdout. Candidates, in order: SAGEBRUSH_PYTHON, `python3` on PATH, Debian's
 * `/usr/bin/python3` (the pyenv `python3` many machines put first has no torch, so the first one that imports
 * torch wins, not the first that exists). Abort → SIGTERM, then SIGKILL after a grace period, so a cancelled
 * training never outlives its job. Only the standard library + torch/torchvision/numpy are assumed in scripts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AppError } from '../core/errors.ts';

export interface PythonInfo {
  path: string;
  torch: string;
  torchvision: string | null;
}

const PROBE = 'import json, torch\ntry:\n  import torchvision; tv = torchvision.__version__\nexcept Exception:\n  tv = None\nprint(json.dumps({"torch": torch.__version__, "torchvision": tv}))';

/** Interpreters tried in order (deduplicated). */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([env.SAGEBRUSH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))];
}

const found = new Map<string, PythonInfo>();

/** The first candidate that imports torch (memoised per candidate list); PYTHON_TORCH_MISSING otherwise. */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = pythonCandidates(env)): PythonInfo {
  const key = candidates.join('\0');
  const hit = found.get(key);
  if (hit) return hit;
  const tried: string[] = [];
  for (const path of candidates) {
    const r = spawnSync(path, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) {
      try {
        const v = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { torch: string; torchvision: string | null };
        const info = { path, torch: v.torch, torchvision: v.torchvision };
        found.set(key, info);
        return info;
      } catch {
        // fall through: an interpreter printing something else is not usable
      }
    }
    tried.push(`${path}: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop() || `exit ${String(r.status)}`}`);
  }
  throw new AppError('PYTHON_TORCH_MISSING', `No Python interpreter can import torch (tried ${tried.join('; ')}).`, {
    problems: [{ field: 'SAGEBRUSH_PYTHON', problem: 'no interpreter with torch', fix: 'Install PyTorch from Debian: apt-get install python3-torch python3-torchvision (then /usr/bin/python3 is used), or set SAGEBRUSH_PYTHON to an interpreter that has torch.' }],
  });
}

export interface PythonRunOptions {
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Each stdout line that parses as a JSON object. */
  onMessage?(msg: Record<string, unknown>): void;
  /** Milliseconds between SIGTERM and SIGKILL on abort (default 3000). */
  killGraceMs?: number;
  /** Interpreter to use (default: findTorchPython()). */
  python?: string;
  /** Run with a lower CPU priority (nice 10) where `nice` exists: training shares small machines. */
  nice?: boolean;
}

export interface PythonRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 4 KB of stderr (for error messages). */
  stderrTail: string;
  /** Non-JSON stdout lines (the last 50). */
  otherLines: string[];
}

/** Runs `script` to the end; resolves with its exit status (never rejects for a non-zero exit; rejects on abort). */
export function runPythonScript(script: string, options: PythonRunOptions = {}): Promise<PythonRunResult> {
  const python = options.python ?? findTorchPython().path;
  const args = [...(options.nice ? ['-n', '10', python] : []), script, ...(options.args ?? [])];
  const cmd = options.nice ? 'nice' : python;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason ?? new Error('aborted'));
      return;
    }
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderrTail = '';
    const otherLines: string[] = [];
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 3000);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4096);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const text = line.trim();
      if (text.startsWith('{')) {
        try {
          const msg = JSON.parse(text) as unknown;
          if (msg && typeof msg === 'object' && !Array.isArray(msg)) {
            options.onMessage?.(msg as Record<string, unknown>);
            return;
          }
        } catch {
          // not JSON: kept below
        }
      }
      if (text) otherLines.push(text);
      if (otherLines.length > 50) otherLines.shift();
    });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (options.signal?.aborted) reject(options.signal.reason ?? new Error('aborted'));
      else resolve({ code, signal: sig, stderrTail, otherLines });
    });
  });
}
