/**
 * Benchmark runner: `npm run bench [name...] [-- --smoke]`.
 * Discovers `bench/<name>.bench.ts` modules ({ name, title, run }), runs the named ones (or all),
 * prints each table, and rewrites only their sections of docs/benchmarks.md (between
 * `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`) with the date, machine and command.
 * `--smoke` runs tiny sizes (for CI) and does not touch the docs.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchOptions {
  /** Tiny sizes: checks the benchmark still runs, numbers are meaningless. */
  smoke: boolean;
}

export interface BenchResult {
  markdown: string;
  summary: Record<string, unknown>;
}

export interface BenchModule {
  name: string;
  title: string;
  run(options?: BenchOptions): Promise<BenchResult>;
}

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const DOC = join(BENCH_DIR, '..', 'docs', 'benchmarks.md');
const DOC_HEADER = `# Benchmarks

Measured, not claimed: every table below is written by \`npm run bench\` on the machine named in it, with a
peer measured side by side in the same run. Re-run one with \`npm run bench <name>\`; CI runs
\`npm run bench -- --smoke\` (tiny sizes, docs untouched).
`;

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch} (load average ${loadavg()[0].toFixed(1)} at the start)`;
}

/** Replaces (or appends) the section of `name` in `doc`. */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

async function discover(): Promise<BenchModule[]> {
  const files = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.bench.ts')).sort();
  const mods: BenchModule[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, f)).href)) as Partial<BenchModule>;
    if (typeof mod.name !== 'string' || typeof mod.title !== 'string' || typeof mod.run !== 'function') {
      throw new Error(`bench/${f} must export name, title and run()`);
    }
    mods.push(mod as BenchModule);
  }
  return mods;
}

async function main(argv: string[]): Promise<number> {
  const smoke = argv.includes('--smoke');
  const names = argv.filter((a) => !a.startsWith('--'));
  const all = await discover();
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? all.filter((m) => names.includes(m.name)) : all;
  const command = argv.length === 0 ? 'npm run bench' : argv.some((a) => a.startsWith('--')) ? `npm run bench -- ${argv.join(' ')}` : `npm run bench ${argv.join(' ')}`;
  const sections: Array<{ name: string; body: string }> = [];
  for (const mod of selected) {
    console.log(`\n## ${mod.title}${smoke ? ' (smoke)' : ''}\n`);
    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const where = machine();
    const started = Date.now();
    const result = await mod.run({ smoke });
    console.log(result.markdown);
    console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s) summary: ${JSON.stringify(result.summary)}`);
    sections.push({ name: mod.name, body: `## ${mod.title}\n\nRun ${when} on ${where}.\nCommand: \`${command}\`\n\n${result.markdown.trim()}` });
  }
  if (!smoke) {
    // Read the file only now: a bench running at the same time may have rewritten another section meanwhile.
    let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : DOC_HEADER;
    for (const s of sections) doc = replaceSection(doc, s.name, s.body);
    writeFileSync(DOC, doc.endsWith('\n') ? doc : `${doc}\n`);
    console.log(`\nUpdated ${DOC}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
