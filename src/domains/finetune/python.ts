/**
 * Where the trainer's scripts are and which interpreter runs them (Debian's python3 with torch). One place to swap
 * for src/runtimes/python.ts once that exists.
 */
import { resolve } from 'node:path';

export const PYTHON_DIR = resolve(import.meta.dirname, 'python');
export const TRAIN_SCRIPT = resolve(PYTHON_DIR, 'train.py');
export const INSPECT_SCRIPT = resolve(PYTHON_DIR, 'inspect.py');
export const EXPORT_SCRIPT = resolve(PYTHON_DIR, 'export.py');
/** torchrun for Debian's torch 1.13 on Python 3.11 (F1's wrapper; plain `torchrun` crashes there before any worker starts). */
export const TORCHRUN_SCRIPT = resolve(PYTHON_DIR, 'torchrun.py');

export function pythonInterpreter(): string {
  return process.env.SAGEBRUSH_PYTHON ?? '/usr/bin/python3';
}
