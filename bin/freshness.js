// Is dist/ (the compiled build) current with src/? Shared by bin/sagebrush.js (before running dist/) and
// scripts/build-server.mjs (which writes the stamp). Plain JavaScript so it runs before any loader is registered.
//
// The stamp holds the newest modification time and the number of the build's input files. A source edited, added,
// pulled or checked out after the build gets a newer mtime; a deleted one changes the count. Stat-ing the ~300
// inputs takes a few milliseconds, where hashing their contents would cost more than the whole `--help`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP_NAME = '.build-stamp.json';
/** Files the build compiles (.ts) or copies beside the output (.mjs thread bootstrap, CQL library, JSON, the Python trainers). */
const INPUT = /\.(?:ts|mjs|json|cql|py)$/;
const NOT_INPUT = /\.test\.ts$/;

/** Every build input under srcDir (tests and `__reference__/` folders left out), as full paths. */
export function inputFiles(srcDir) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '__reference__') walk(path);
      } else if (INPUT.test(e.name) && !NOT_INPUT.test(e.name)) {
        out.push(path);
      }
    }
  };
  walk(srcDir);
  return out;
}

/** Beside src/: the lockfile names the library versions the bundle (dist/bundle/) holds, so a new one outdates it. */
const ROOT_INPUTS = ['package-lock.json'];

/** The newest mtime (of the lockfile too) and the count of the build's input files under srcDir. */
export function sourceState(srcDir) {
  const files = inputFiles(srcDir);
  let newestMs = 0;
  for (const path of files) newestMs = Math.max(newestMs, statSync(path).mtimeMs);
  for (const name of ROOT_INPUTS) newestMs = Math.max(newestMs, statSync(join(srcDir, '..', name), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return { newestMs, files: files.length };
}

/** 'fresh', 'missing' (never built) or 'stale' (sources changed since the build). */
export function buildState(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP_NAME), 'utf8'));
  } catch {
    return 'missing';
  }
  if (!existsSync(join(root, 'src'))) return 'fresh'; // a copy that ships only the build
  const now = sourceState(join(root, 'src'));
  return now.files === stamp.files && now.newestMs <= stamp.newestMs ? 'fresh' : 'stale';
}
