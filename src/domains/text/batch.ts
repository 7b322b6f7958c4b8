/**
 * The `text.batch` job (Comprehend's StartDocumentClassificationJob): classify every document of the
 * input and write JSON Lines in input order — `{"File","Line","Classes"|"Labels"}` — plus
 * Comprehend's `output.tar.gz` wrapping. A bad document becomes a line with `ErrorCode`/`ErrorMessage`
 * instead of failing the job.
 */
import type { JobContext } from '../../jobs/types.ts';
import { buildOutputTarGz } from './comprehend.ts';
import type { TextDeps } from './deps.ts';
import { readBatchInput, type BatchDocument } from './batchInput.ts';
import { classifyTexts, type TextPredictor } from './predictor.ts';
import type { BatchJobPayload } from './schema.ts';
import { unzipTextFiles } from './unzip.ts';

export interface BatchResult {
  modelId: string;
  documents: number;
  errors: number;
  outputKey: string;
  outputTarKey: string;
}

const CHUNK = 1000;

export async function runBatchJob(deps: TextDeps & { predictor(modelId: string): Promise<TextPredictor> }, ctx: JobContext<BatchJobPayload>): Promise<BatchResult> {
  const p = ctx.job.payload;
  await ctx.progress(0.01, 'reading input');
  const body = await deps.artifacts.get(p.inputKey);
  const docs: BatchDocument[] = await readBatchInput(p.inputFormat, p.inputFileName, body, { column: p.column, unzip: unzipTextFiles });
  const predictor = await deps.predictor(p.modelId);
  const key = predictor.rule.mode === 'multi-class' ? 'Classes' : 'Labels';
  const lines: string[] = [];
  let errors = 0;
  for (let start = 0; start < docs.length; start += CHUNK) {
    ctx.signal.throwIfAborted();
    const part = docs.slice(start, start + CHUNK);
    const ok = part.filter((d) => d.text !== undefined);
    const results = classifyTexts(predictor, ok.map((d) => d.text!));
    let k = 0;
    for (const d of part) {
      const head = { File: d.file, ...(d.line !== undefined ? { Line: d.line } : {}) };
      if (d.error) {
        errors++;
        lines.push(JSON.stringify({ ...head, ErrorCode: d.error.code, ErrorMessage: d.error.message }));
      } else {
        const r = results[k++]!;
        lines.push(JSON.stringify({ ...head, [key]: r[key], Predicted: r.Predicted }));
      }
    }
    await ctx.progress(0.05 + (0.9 * Math.min(docs.length, start + CHUNK)) / Math.max(1, docs.length), `${Math.min(docs.length, start + CHUNK)} of ${docs.length} documents`);
  }
  const jsonl = lines.length ? `${lines.join('\n')}\n` : '';
  const outputKey = `${p.outputPrefix}predictions.jsonl`;
  const outputTarKey = `${p.outputPrefix}output.tar.gz`;
  await deps.artifacts.put(outputKey, jsonl);
  await deps.artifacts.put(outputTarKey, await buildOutputTarGz({ 'predictions.jsonl': jsonl }));
  await ctx.log(`classified ${docs.length - errors} documents, ${errors} errors`);
  await ctx.progress(1, 'done');
  return { modelId: p.modelId, documents: docs.length, errors, outputKey, outputTarKey };
}
