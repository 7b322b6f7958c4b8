import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { findTorchPython, pythonCandidates, runPythonScript } from './python.ts';

const script = (body: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-py-')), 'script.py');
  writeFileSync(file, body);
  return file;
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('python runtime', () => {
  it('tries SAGEBRUSH_PYTHON, python3, then /usr/bin/python3', () => {
    expect(pythonCandidates({ SAGEBRUSH_PYTHON: '/opt/py/bin/python' })).toEqual(['/opt/py/bin/python', 'python3', '/usr/bin/python3']);
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
  });

  it('no interpreter with torch is PYTHON_TORCH_MISSING with the apt-get fix, naming each one tried', () => {
    const err = (() => {
      try {
        findTorchPython({}, ['/nonexistent/python3', process.execPath]);
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected a failure');
    })();
    expect(err.code).toBe('PYTHON_TORCH_MISSING');
    expect(err.message).toContain('/nonexistent/python3');
    expect(err.problems?.[0]?.fix).toContain('apt-get install python3-torch python3-torchvision');
  });

  it('reads JSON lines from stdout and keeps other lines and the stderr tail apart', async () => {
    const messages: Array<Record<string, unknown>> = [];
    const r = await runPythonScript(script('import json, sys\nprint(json.dumps({"type": "progress", "fraction": 0.5}))\nprint("plain text")\nprint("oops", file=sys.stderr)\nsys.exit(3)\n'), { python: 'python3', onMessage: (m) => messages.push(m) });
    expect(messages).toEqual([{ type: 'progress', fraction: 0.5 }]);
    expect(r).toMatchObject({ code: 3, otherLines: ['plain text'] });
    expect(r.stderrTail).toContain('oops');
  });

  it('abort kills the process: SIGTERM, then SIGKILL when it ignores SIGTERM', async () => {
    const ac = new AbortController();
    let pid = 0;
    const run = runPythonScript(script('import json, os, signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint(json.dumps({"pid": os.getpid()}), flush=True)\ntime.sleep(60)\n'), {
      python: 'python3', signal: ac.signal, killGraceMs: 300,
      onMessage: (m) => {
        pid = Number(m.pid);
        ac.abort(new Error('cancelled'));
      },
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  }, 30_000);
});
