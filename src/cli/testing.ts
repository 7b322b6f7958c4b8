/**
 * Test helper: runs the real `sagebrush` binary as a user would, in its own process, on a temp embedded
 * store, and returns its exit code and output (never throws on a non-zero exit).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/sagebrush.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliSandbox {
  /** A temp folder for the test's input and output files. */
  dir: string;
  dataDir: string;
  cli(args: string[], stdin?: string): Promise<CliResult>;
  cleanup(): void;
  /** `--json ...args`, which must exit 0: its parsed stdout. */
  json(args: string[]): Promise<any>;
  /** `--json ...args`, which must exit 1: the error of its last stderr line (a notice, e.g. running from sources, may come first). */
  refused(args: string[]): Promise<CliRefusal>;
}

export interface CliRefusal {
  code: string;
  problems: Array<{ field: string }>;
}

export function createCliSandbox(prefix: string): CliSandbox {
  const dir = mkdtempSync(join(tmpdir(), `sb-cli-${prefix}-`));
  const dataDir = join(dir, 'data');
  const cli: CliSandbox['cli'] = (args, stdin) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], { env: { ...process.env, SAGEBRUSH_LOG_LEVEL: 'silent' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(stdin ?? '');
      });
  return {
    dir,
    dataDir,
    cli,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    async json(args) {
      const r = await cli(['--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    },
    async refused(args) {
      const r = await cli(['--json', ...args]);
      expect(r.code, r.stdout).toBe(1);
      return JSON.parse(r.stderr.trim().split('\n').pop()!).error as CliRefusal;
    },
  };
}
