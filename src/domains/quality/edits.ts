/**
 * Row edits of a labeled text dataset version ("fix label", "drop row" from the noisy-label finder): the file is
 * rewritten in its own layout — Comprehend CSV, wide (Kaggle) CSV or JSON Lines — and uploaded as the next version
 * of the same dataset through the datasets service (which runs the usual import job); the old version stays.
 * Rows are the 1-based source rows of LabeledDocument.row: the CSV record (Comprehend), the record counting the
 * header as row 1 (wide CSV), the line (JSON Lines).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { AppError, type Problem } from '../../core/errors.ts';
import type { DatasetService } from '../datasets/service.ts';
import { detectTextFormat, type TextFormat } from '../text/formats.ts';
import { readStream } from '../text/load.ts';
import type { DatasetEdits } from './schema.ts';

export interface EditOutcome {
  content: string;
  format: TextFormat;
  dropped: number;
  relabeled: number;
}

function csvRecords(text: string): string[][] {
  return parse(text, { relax_column_count: true, relax_quotes: false, skip_empty_lines: true, bom: true }) as string[][];
}

const csvField = (s: string) => (/[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function checkRows(edits: DatasetEdits, known: Set<number>): Map<number, string[]> {
  const problems: Problem[] = [];
  const drop = new Set(edits.drop);
  const relabel = new Map<number, string[]>();
  for (const r of edits.relabel) {
    if (drop.has(r.row)) problems.push({ row: r.row, field: 'relabel', problem: `row ${r.row} is both dropped and relabeled`, fix: 'Either drop the row or relabel it.' });
    if (relabel.has(r.row)) problems.push({ row: r.row, field: 'relabel', problem: `row ${r.row} is relabeled twice`, fix: 'Give each row one relabel entry.' });
    relabel.set(r.row, r.labels);
  }
  for (const row of [...drop, ...relabel.keys()]) {
    if (!known.has(row)) problems.push({ row, field: drop.has(row) ? 'drop' : 'relabel', problem: `row ${row} is not a data row of this version`, fix: 'Use the `row` numbers the noisy-label finder reports for this dataset version.' });
  }
  if (problems.length) throw new AppError('DATASET_EDIT_ROW_UNKNOWN', `The edits name ${problems.length === 1 ? 'a row' : `${problems.length} rows`} that cannot be edited: ${problems[0]!.problem}.`, { problems });
  return relabel;
}

function unknownLabel(label: string, known: string[]): never {
  throw new AppError('TEXT_UNKNOWN_LABEL', `Label ${JSON.stringify(label)} is not a label column of this wide CSV (${known.join(', ')}).`, {
    problems: [{ field: 'relabel.labels', problem: `unknown label ${JSON.stringify(label)}`, fix: `Use the label columns: ${known.join(', ')}.` }],
  });
}

export function applyEdits(content: string, edits: DatasetEdits): EditOutcome {
  const text = content.replace(/^\uFEFF/, '');
  const format = edits.format === 'auto' ? detectTextFormat(text.slice(0, 65536)) : edits.format;
  const drop = new Set(edits.drop);
  if (format === 'comprehend-csv') {
    const records = csvRecords(text);
    const relabel = checkRows(edits, new Set(records.map((_, i) => i + 1)));
    const out: string[] = [];
    records.forEach((rec, i) => {
      const row = i + 1;
      if (drop.has(row)) return;
      const labels = relabel.get(row);
      const label = labels ? labels.join(edits.delimiter) : rec[0] ?? '';
      out.push(rec.length < 2 && !labels ? rec.map(csvField).join(',') : `${csvField(label)},${csvField(rec.slice(1).join(','))}`);
    });
    return { content: out.length ? `${out.join('\n')}\n` : '', format, dropped: drop.size, relabeled: relabel.size };
  }
  if (format === 'wide-csv') {
    const records = csvRecords(text);
    const header = records[0] ?? [];
    const body = records.slice(1);
    const textColumn = edits.textColumn ?? header.find((h) => /^(comment_text|text)$/i.test(h)) ?? header[1];
    const textIndex = header.indexOf(textColumn ?? '');
    const labelColumns = edits.labelColumns ?? header.filter((h, i) => i !== textIndex && body.length > 0 && body.every((r) => r[i] === '0' || r[i] === '1'));
    const noneLabel = edits.noneLabel ?? 'clean';
    const relabel = checkRows(edits, new Set(body.map((_, i) => i + 2)));
    const out = [header.map(csvField).join(',')];
    body.forEach((rec, i) => {
      const row = i + 2;
      if (drop.has(row)) return;
      const labels = relabel.get(row);
      const fields = [...rec];
      if (labels) {
        for (const l of labels) if (!labelColumns.includes(l) && l !== noneLabel) unknownLabel(l, [...labelColumns, noneLabel]);
        for (const c of labelColumns) fields[header.indexOf(c)] = labels.includes(c) ? '1' : '0';
      }
      out.push(fields.map(csvField).join(','));
    });
    return { content: `${out.join('\n')}\n`, format, dropped: drop.size, relabeled: relabel.size };
  }
  if (format === 'jsonl') {
    const lines = text.split(/\r\n|\r|\n/);
    const known = new Set<number>();
    lines.forEach((l, i) => {
      if (l.trim() !== '') known.add(i + 1);
    });
    const relabel = checkRows(edits, known);
    const out: string[] = [];
    lines.forEach((line, i) => {
      const row = i + 1;
      if (line.trim() === '' || drop.has(row)) return;
      const labels = relabel.get(row);
      if (!labels) return void out.push(line);
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new AppError('DATASET_EDIT_ROW_UNKNOWN', `Line ${row} is not a JSON object, so it cannot be relabeled.`, { problems: [{ row, field: 'relabel', problem: 'not a JSON object', fix: 'Drop the line instead, or fix it and upload a new version.' }] });
      }
      if ('label' in obj && !('labels' in obj) && labels.length === 1) obj.label = labels[0];
      else {
        delete obj.label;
        obj.labels = labels;
      }
      out.push(JSON.stringify(obj));
    });
    return { content: out.length ? `${out.join('\n')}\n` : '', format, dropped: drop.size, relabeled: relabel.size };
  }
  throw new AppError('DATASET_NOT_EDITABLE', 'Augmented manifests cannot be edited row by row here.', {
    problems: [{ field: 'format', problem: `format ${format}`, fix: 'Edit the manifest yourself and upload it as a new version of the dataset.' }],
  });
}

/** Applies the edits to version `version` of a dataset and uploads the result as its next version. */
export async function editDatasetVersion(datasets: DatasetService, idOrName: string, version: number | 'latest', edits: DatasetEdits) {
  const v = await datasets.getVersion(idOrName, version);
  if (v.status !== 'ready') throw new AppError('DATASET_NOT_READY', `Version ${v.version} of "${idOrName}" is still ${v.status}.`);
  if (!['csv', 'jsonl'].includes(v.format)) {
    throw new AppError('DATASET_NOT_EDITABLE', `Dataset "${idOrName}" v${v.version} is ${v.format}; only labeled text (CSV, JSON Lines) can be edited row by row.`, {
      problems: [{ field: 'format', problem: `format ${v.format}`, fix: 'Edit the file yourself and upload it as a new version.' }],
    });
  }
  if (edits.drop.length === 0 && edits.relabel.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Nothing to edit: send rows in "drop" or "relabel".', { problems: [{ field: 'drop', problem: 'no edits', fix: 'Send {"drop": [rows]} and/or {"relabel": [{"row", "labels"}]}.' }] });
  }
  const dataset = await datasets.get(idOrName);
  const body = await readStream((await datasets.openFile(idOrName, v.version)).stream);
  const outcome = applyEdits(body.toString('utf8'), edits);
  const meta = v.meta as { requestedFormat?: string; header?: string };
  const uploaded = await datasets.upload({
    stream: Readable.from([Buffer.from(outcome.content, 'utf8')]),
    fileName: v.fileName,
    name: dataset.name,
    ...(meta.requestedFormat ? { format: meta.requestedFormat as 'auto' } : {}),
    ...(meta.header ? { header: meta.header as 'auto' } : {}),
  });
  return { ...uploaded, edits: { fromVersion: v.version, format: outcome.format, dropped: outcome.dropped, relabeled: outcome.relabeled } };
}
