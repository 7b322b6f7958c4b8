/**
 * Child processes for the text benchmark: our worker (Node + tsx), and the two peers (`../shared/peers/*.py`,
 * run unchanged with /usr/bin/python3) under a small wrapper that also reports peak memory: the peer script runs
 * through `runpy` with `subprocess.run` replaced by a version that reaps each child with `os.wait4`, so fastText's
 * separate `supervised` and `predict-prob` processes each get their own `ru_maxrss`; the Python process's own
 * peak is read at the end. Installs the Debian packages when missing (full runs only).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..');
export const PEERS_DIR = join(REPO_ROOT, '..', 'shared', 'peers');
export const PYTHON = '/usr/bin/python3';

const run = promisify(execFile);

/** Runs a bench TypeScript file with tsx in its own Node process; returns its last stdout line as JSON. */
export async function nodeJson<T>(script: string, args: string[], timeoutMs = 20 * 60_000): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(HERE, script), ...args], {
    cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: timeoutMs, env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

const WRAPPER = `
import os, sys, json, runpy, resource, subprocess, threading
kids = []
def run(cmd, check=False, capture_output=False, text=False, **kw):
    pipe = subprocess.PIPE if capture_output else None
    p = subprocess.Popen(cmd, stdout=pipe, stderr=pipe, text=text)
    got = {}
    def drain(name, f):
        got[name] = f.read(); f.close()
    ts = [threading.Thread(target=drain, args=(n, f)) for n, f in (("out", p.stdout), ("err", p.stderr)) if f is not None]
    for t in ts: t.start()
    for t in ts: t.join()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    kids.append({"cmd": " ".join(str(c) for c in cmd[:2]), "maxrss_kb": ru.ru_maxrss})
    if check and p.returncode != 0:
        raise subprocess.CalledProcessError(p.returncode, cmd, got.get("out"), got.get("err"))
    return subprocess.CompletedProcess(cmd, p.returncode, got.get("out"), got.get("err"))
subprocess.run = run
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
sys.stdout.flush()
print(json.dumps({"self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "children": kids}))
`;

export interface PeerOutput {
  peer: string;
  version: string;
  n_train: number;
  n_test: number;
  fit_seconds: number;
  predict_seconds: number;
  predict_docs_per_second: number;
  mean_auc: number | null;
  macro_f1: number;
  micro_f1: number;
  per_label_auc: Record<string, number>;
  per_label_f1: Record<string, number>;
}

export interface PeerRun extends PeerOutput {
  /** Peak RSS of the peer's own Python process (sklearn: fit and predict together). */
  selfPeakMb: number;
  /** fastText: peak RSS of its `supervised` (train) and `predict-prob` processes. */
  trainProcessPeakMb?: number;
  predictProcessPeakMb?: number;
}

export type PeerName = 'sklearn' | 'fasttext';
export const PEER_SCRIPTS: Record<PeerName, string> = { sklearn: 'sklearn_textclf.py', fasttext: 'fasttext_textclf.py' };

export async function runPeer(peer: PeerName, trainFile: string, testFile: string): Promise<PeerRun> {
  const script = join(PEERS_DIR, PEER_SCRIPTS[peer]);
  const { stdout } = await run(PYTHON, ['-c', WRAPPER, script, trainFile, testFile, '--multi-label'], { maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  const lines = stdout.trim().split('\n');
  const usage = JSON.parse(lines.pop() ?? '') as { self_maxrss_kb: number; children: { cmd: string; maxrss_kb: number }[] };
  const out = JSON.parse(lines.pop() ?? '') as PeerOutput;
  const kid = (verb: string) => usage.children.find((c) => c.cmd.endsWith(verb))?.maxrss_kb;
  const train = kid('supervised'), predict = kid('predict-prob');
  return {
    ...out,
    selfPeakMb: usage.self_maxrss_kb / 1024,
    ...(train !== undefined ? { trainProcessPeakMb: train / 1024 } : {}),
    ...(predict !== undefined ? { predictProcessPeakMb: predict / 1024 } : {}),
  };
}

function has(peer: PeerName): boolean {
  if (!existsSync(PYTHON) || !existsSync(join(PEERS_DIR, PEER_SCRIPTS[peer]))) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, numpy, scipy'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  if (peer === 'fasttext') {
    try {
      execFileSync('fasttext', [], { stdio: 'ignore' });
    } catch (err) {
      // `fasttext` with no arguments prints its usage and exits 1: installed. ENOENT: not installed.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    }
  }
  return true;
}

/**
 * Which peers can run. Full runs install the missing Debian packages first (`apt-get update` once, then
 * `apt-get install -y`); smoke runs only use what is installed. Returns the peers available and notes on the rest.
 */
export function ensurePeers(install: boolean, log: (m: string) => void): { available: PeerName[]; notes: string[] } {
  const notes: string[] = [];
  if (!existsSync(PEERS_DIR)) return { available: [], notes: [`peer scripts not found at ${PEERS_DIR}: peers skipped`] };
  const packages: Record<PeerName, string[]> = { sklearn: ['python3-sklearn'], fasttext: ['fasttext', 'python3-sklearn'] };
  const missing = (['sklearn', 'fasttext'] as PeerName[]).filter((p) => !has(p));
  if (missing.length > 0 && install) {
    const pkgs = [...new Set(missing.flatMap((p) => packages[p]))];
    log(`installing Debian packages for the peers: ${pkgs.join(' ')}`);
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch (err) {
      notes.push(`apt-get install ${pkgs.join(' ')} failed (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const available = (['sklearn', 'fasttext'] as PeerName[]).filter(has);
  for (const p of ['sklearn', 'fasttext'] as PeerName[]) {
    if (!available.includes(p)) notes.push(`${p} peer not installed (Debian ${packages[p].join(' + ')}): skipped`);
  }
  return { available, notes };
}
