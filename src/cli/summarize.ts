/**
 * `sagebrush summarize FILE` — summarize a document (text, Markdown, text extracted from a PDF, or JSON Lines of
 * {"id","text"}) with the extractive engine (default) or an LLM endpoint (map-reduce / refine). Uploads the file,
 * follows the `summarize.run` job with a progress bar, and writes summary.md (and, with --intermediate, the
 * result with every map/collapse/combine output).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Job } from '../jobs/types.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { followJob } from './progress.ts';
import { withTransport } from './session.ts';
import type { UploadField } from './transport.ts';

interface SummarizeCliOptions {
  endpoint?: string;
  extractive?: boolean;
  mode: string;
  format?: string;
  chunkSize?: string;
  chunkOverlap?: string;
  tokenMax?: string;
  maxNewTokens?: string;
  temperature?: string;
  words?: string;
  ratio?: string;
  mapPrompt?: string;
  combinePrompt?: string;
  refinePrompt?: string;
  out?: string;
  intermediate?: string;
}

interface ResultShape {
  summary: string;
  chunks: number;
  llmCalls: number;
  tokenMax: number | null;
  seconds: number;
  documents: Array<{ id: string; words: number; inputWords: number; chunks: number }>;
  intermediate: Array<{ document: string; stage: string; index: number; round: number; promptTokens: number; completionTokens: number; seconds: number; output: string }>;
  budget: { chunkTokens: number; chunkOverlap: number; outputTokens: number; contextSize: number } | null;
}

/** A prompt given inline, or `@path` to read it from a file. */
function promptValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.startsWith('@')) {
    const path = v.slice(1);
    if (!existsSync(path)) throw new CliError('FILE_NOT_FOUND', `Prompt file ${path} does not exist.`, 1);
    return readFileSync(path, 'utf8');
  }
  return v;
}

function fieldsOf(o: SummarizeCliOptions): UploadField[] {
  if (o.endpoint && o.extractive) throw new CliError('VALIDATION_FAILED', 'Use either --endpoint NAME or --extractive, not both.', 1);
  const f: Array<[string, string | undefined]> = [
    ['engine', o.endpoint ? `endpoint:${o.endpoint}` : 'extractive'],
    ['mode', o.mode],
    ['format', o.format],
    ['chunkSize', o.chunkSize],
    ['chunkOverlap', o.chunkOverlap],
    ['tokenMax', o.tokenMax],
    ['maxNewTokens', o.maxNewTokens],
    ['temperature', o.temperature],
    ['maxWords', o.words],
    ['ratio', o.ratio],
    ['mapPrompt', promptValue(o.mapPrompt)],
    ['combinePrompt', promptValue(o.combinePrompt)],
    ['refinePrompt', promptValue(o.refinePrompt)],
  ];
  return f.filter((x): x is [string, string] => x[1] !== undefined && x[1] !== '').map(([name, value]) => ({ name, value }));
}

export function registerSummarizeCommands(program: Command): void {
  program
    .command('summarize <file>')
    .description('Summarize a long document (.txt — also text extracted from a PDF —, .md, or .jsonl of {"id","text"}) with the extractive engine or an LLM endpoint')
    .option('--endpoint <name>', 'summarize with this LLM endpoint (map-reduce or refine)')
    .option('--extractive', 'use the extractive engine (no model; the default)')
    .option('--mode <mode>', 'LLM: map-reduce | refine', 'map-reduce')
    .option('--format <format>', 'auto | text | markdown | jsonl (default: by file name)')
    .option('--chunk-size <tokens>', 'LLM: chunk size in model tokens (default: derived from the context window)')
    .option('--chunk-overlap <tokens>', 'LLM: overlap between chunks in model tokens (default: 5 % of the chunk)')
    .option('--token-max <tokens>', 'LLM: collapse summaries while their total exceeds this (default: derived from the context window)')
    .option('--max-new-tokens <n>', 'LLM: output budget per call (default: ¼ of the context, 16…512)')
    .option('--temperature <t>', 'LLM: sampling temperature (default 0)')
    .option('--words <n>', 'extractive: summary length in words')
    .option('--ratio <f>', 'extractive: summary length as a fraction of the document (default 0.1)')
    .option('--map-prompt <text|@file>', 'LLM: map prompt with {text}')
    .option('--combine-prompt <text|@file>', 'LLM: combine prompt with {text}')
    .option('--refine-prompt <text|@file>', 'LLM refine: prompt with {existing_answer} and {text}')
    .option('--out <file>', 'write the summary (Markdown) here; default: print it')
    .option('--intermediate <file>', 'write the full result (every map / collapse / combine output) as JSON here')
    .action(async (file: string, o: SummarizeCliOptions, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        if (!existsSync(file)) throw new CliError('FILE_NOT_FOUND', `${file} does not exist. Check the path.`, 1);
        const accepted = expectOk<{ job: Job }>(await t.upload('/api/v1/summarize', file, fieldsOf(o)));
        const job = await followJob(t, accepted.job.id, { quiet, label: 'summarize' });
        if (job.status !== 'succeeded') {
          const err = job.error;
          throw new CliError(err?.code ?? `JOB_${job.status.toUpperCase()}`, err?.message ?? `summarization ${job.status}`, 1, err?.problems ?? []);
        }
        const r = job.result as ResultShape;
        if (o.intermediate) writeFileSync(o.intermediate, JSON.stringify(r, null, 2));
        let markdown: string | undefined;
        if (o.out) {
          const res = await t.request('GET', `/api/v1/summarize/${job.id}/files/summary.md`);
          if (res.status !== 200) expectOk(res);
          markdown = res.body.toString('utf8');
          writeFileSync(o.out, markdown);
        }
        if (g.json) return printJson({ job: job.id, out: o.out ?? null, ...r });
        if (!o.out) process.stdout.write(`${r.summary}\n`);
        const inputWords = r.documents.reduce((s, d) => s + d.inputWords, 0);
        const b = r.budget;
        const engine = o.endpoint ? `${o.mode} on ${o.endpoint} (context ${b?.contextSize}, chunk ${b?.chunkTokens} tokens, overlap ${b?.chunkOverlap}, output ${b?.outputTokens}, token_max ${r.tokenMax})` : 'extractive';
        process.stderr.write(`${inputWords} words → ${r.documents.reduce((s, d) => s + d.words, 0)} words · ${engine} · ${r.chunks} chunk(s), ${r.llmCalls} LLM call(s) · ${r.seconds.toFixed(2)} s${o.out ? ` · wrote ${o.out}` : ''}\n`);
        if (r.intermediate.length > 0 && o.out && !o.intermediate) {
          printTable(['stage', 'n', 'tokens in', 'out', 's', 'output'], r.intermediate.slice(0, 20).map((c) => [`${c.stage}${c.round ? ` r${c.round}` : ''}`, c.index + 1, c.promptTokens, c.completionTokens, c.seconds.toFixed(2), c.output.replace(/\s+/g, ' ')]));
        }
      }),
    );
}
