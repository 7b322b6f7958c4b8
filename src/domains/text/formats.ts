/**
 * Reads labeled text in the formats Comprehend users and Kaggle/Hugging Face users bring:
 * - comprehend-csv: two columns, no header: `label,text` or `l1|l2,text` (multi-label, one-char delimiter)
 * - augmented-manifest: SageMaker Ground Truth JSON Lines (`source`, label attribute, `<attr>-metadata`)
 * - wide-csv: Kaggle/Jigsaw `id,text,<0/1 label columns>` with a header
 * - jsonl: `{"text": "...", "labels": ["a","b"]}` (or `"label": "a"`)
 * Structural problems (bad JSON, wrong column count) are collected per row; rule checks live in validate.ts.
 */
import { parse } from 'csv-parse/sync';
import type { Problem } from '../../core/errors.ts';

export type TextFormat = 'comprehend-csv' | 'augmented-manifest' | 'wide-csv' | 'jsonl';
export type TextMode = 'multi-class' | 'multi-label';

export interface LabeledDocument {
  /** 1-based row (CSV record or JSON line) in the source file, for error messages. */
  row: number;
  text: string;
  labels: string[];
}

export interface ParseOptions {
  format?: TextFormat | 'auto';
  mode: TextMode;
  /** Multi-label delimiter for comprehend-csv (default `|`). */
  delimiter?: string;
  /** wide-csv: text column (default: comment_text, text, or the first non-numeric column). */
  textColumn?: string;
  /** wide-csv: label columns (default: every column whose values are all 0/1). */
  labelColumns?: string[];
  /** wide-csv/jsonl: label given to rows with no positive label (default `clean`; '' keeps them unlabeled). */
  noneLabel?: string;
  /** augmented-manifest: label attribute name (default: the key that has a `-metadata` companion). */
  labelAttribute?: string;
}

export interface ParsedText {
  format: TextFormat;
  docs: LabeledDocument[];
  problems: Problem[];
}

export function detectTextFormat(head: string): TextFormat {
  const first = head.replace(/^\uFEFF/, '').trimStart();
  if (first.startsWith('{')) {
    const line = first.split(/\r\n|\r|\n/, 1)[0] ?? '';
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      if ('source' in obj || 'source-ref' in obj) return 'augmented-manifest';
    } catch {
      /* fall through: jsonl parsing reports the bad line */
    }
    return 'jsonl';
  }
  const firstLine = first.split(/\r?\n/, 1)[0] ?? '';
  // A header with three or more columns naming a text column is the Kaggle wide layout.
  if (/(^|,)"?(comment_text|text)"?(,|$)/i.test(firstLine) && firstLine.split(',').length >= 3) return 'wide-csv';
  return 'comprehend-csv';
}

export function parseLabeledText(content: string, options: ParseOptions): ParsedText {
  const text = content.replace(/^\uFEFF/, '');
  const format = !options.format || options.format === 'auto' ? detectTextFormat(text.slice(0, 65536)) : options.format;
  switch (format) {
    case 'comprehend-csv':
      return { format, ...parseComprehendCsv(text, options) };
    case 'wide-csv':
      return { format, ...parseWideCsv(text, options) };
    case 'jsonl':
      return { format, ...parseJsonl(text, options) };
    case 'augmented-manifest':
      return { format, ...parseManifest(text, options) };
  }
}

function csvRecords(text: string): Array<{ record: string[]; line: number }> {
  const out = parse(text, { relax_column_count: true, relax_quotes: false, skip_empty_lines: true, info: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as Array<{
    record: string[];
    info: { lines: number };
  }>;
  return out.map((r) => ({ record: r.record, line: r.info.lines }));
}

function parseComprehendCsv(text: string, options: ParseOptions) {
  const delimiter = options.delimiter ?? '|';
  const docs: LabeledDocument[] = [];
  const problems: Problem[] = [];
  const records = csvRecords(text);
  records.forEach(({ record }, i) => {
    const row = i + 1;
    if (record.length < 2) {
      problems.push({ row, field: 'text', problem: `row has ${record.length} column; a label and a text are needed`, fix: 'Write each row as `label,text` and quote texts that contain commas or newlines.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      return;
    }
    // Unquoted commas inside the text split it into extra columns; Comprehend rejoins them, and so do we.
    const label = record[0]!;
    const docText = record.slice(1).join(',');
    const labels = options.mode === 'multi-label' ? label.split(delimiter) : [label];
    docs.push({ row, text: docText, labels });
  });
  return { docs, problems };
}

function parseWideCsv(text: string, options: ParseOptions) {
  const records = csvRecords(text);
  const problems: Problem[] = [];
  const header = records[0]?.record ?? [];
  const body = records.slice(1);
  const textColumn = options.textColumn ?? header.find((h) => /^(comment_text|text)$/i.test(h)) ?? header[1];
  const textIndex = header.indexOf(textColumn ?? '');
  if (textIndex < 0) {
    problems.push({ row: 1, field: options.textColumn ?? 'text', problem: `no text column "${options.textColumn ?? 'text'}" in the header (${header.join(', ')})`, fix: 'Name the text column with --text-column.', severity: 'error', code: 'TEXT_COLUMN_MISSING' });
    return { docs: [], problems };
  }
  const labelColumns = options.labelColumns ?? header.filter((h, i) => i !== textIndex && body.length > 0 && body.every((r) => r.record[i] === '0' || r.record[i] === '1'));
  const labelIndexes = labelColumns.map((c) => {
    const idx = header.indexOf(c);
    if (idx < 0) problems.push({ row: 1, field: c, problem: `label column "${c}" is not in the header (${header.join(', ')})`, fix: 'Pass label columns that exist, e.g. --label-columns toxic,threat.', severity: 'error', code: 'TEXT_COLUMN_MISSING' });
    return idx;
  });
  if (labelColumns.length === 0) problems.push({ row: 1, problem: 'no 0/1 label columns found', fix: 'Pass the label columns with --label-columns.', severity: 'error', code: 'TEXT_COLUMN_MISSING' });
  const noneLabel = options.noneLabel ?? 'clean';
  const docs: LabeledDocument[] = [];
  body.forEach(({ record }, i) => {
    const row = i + 2;
    if (record.length !== header.length) {
      problems.push({ row, problem: `row has ${record.length} columns, the header has ${header.length}`, fix: 'Quote fields that contain commas or newlines.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      return;
    }
    const labels: string[] = [];
    labelIndexes.forEach((idx, j) => {
      if (idx < 0) return;
      const v = record[idx]!.trim();
      if (v === '1') labels.push(labelColumns[j]!);
      else if (v !== '0') problems.push({ row, field: labelColumns[j], problem: `label value "${v}" is not 0 or 1`, fix: 'Use 1 for a positive label and 0 otherwise.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
    });
    if (labels.length === 0 && noneLabel) labels.push(noneLabel);
    docs.push({ row, text: record[textIndex]!, labels });
  });
  return { docs, problems };
}

function jsonLines(text: string, problems: Problem[]): Array<{ row: number; obj: Record<string, unknown> }> {
  const out: Array<{ row: number; obj: Record<string, unknown> }> = [];
  // Line breaks as the dataset import reads them: CRLF, LF or a bare CR (old Mac files).
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const obj = JSON.parse(line) as unknown;
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not a JSON object');
      out.push({ row: i + 1, obj: obj as Record<string, unknown> });
    } catch (err) {
      problems.push({ row: i + 1, problem: `line is not a JSON object: ${(err as Error).message}`, fix: 'Write one JSON object per line.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
    }
  });
  return out;
}

function parseJsonl(text: string, options: ParseOptions) {
  const problems: Problem[] = [];
  const docs: LabeledDocument[] = [];
  const noneLabel = options.noneLabel ?? 'clean';
  for (const { row, obj } of jsonLines(text, problems)) {
    const t = obj.text;
    const raw = obj.labels ?? obj.label;
    if (typeof t !== 'string') {
      problems.push({ row, field: 'text', problem: 'missing or non-string "text"', fix: 'Give each line a "text" string.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      continue;
    }
    const labels = Array.isArray(raw) ? raw.map(String) : raw === undefined || raw === null ? [] : [String(raw)];
    if (labels.length === 0 && noneLabel && options.mode === 'multi-label') labels.push(noneLabel);
    docs.push({ row, text: t, labels });
  }
  return { docs, problems };
}

function parseManifest(text: string, options: ParseOptions) {
  const problems: Problem[] = [];
  const docs: LabeledDocument[] = [];
  for (const { row, obj } of jsonLines(text, problems)) {
    const attr = options.labelAttribute ?? Object.keys(obj).find((k) => `${k}-metadata` in obj);
    const meta = attr ? (obj[`${attr}-metadata`] as Record<string, unknown> | undefined) : undefined;
    if (!attr || !meta) {
      problems.push({ row, field: options.labelAttribute ?? 'label attribute', problem: 'no label attribute with a matching "-metadata" object', fix: 'Each line needs the label attribute and "<attribute>-metadata" from Ground Truth (or pass --label-attribute).', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      continue;
    }
    const source = obj.source;
    if (typeof source !== 'string') {
      problems.push({ row, field: 'source', problem: 'missing "source" text', fix: 'Put the document text in "source".', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      continue;
    }
    const value = obj[attr];
    let labels: string[];
    if (Array.isArray(value)) {
      const classMap = (meta['class-map'] ?? {}) as Record<string, string>;
      labels = value.map((v) => classMap[String(v)] ?? String(v));
    } else {
      labels = [typeof meta['class-name'] === 'string' ? (meta['class-name'] as string) : String(value)];
    }
    if (options.mode === 'multi-class' && labels.length !== 1) {
      problems.push({ row, field: attr, problem: `multi-class rows need exactly one label, found ${labels.length}`, fix: 'Train in multi-label mode or give one label per line.', severity: 'error', code: 'TEXT_ROW_MALFORMED' });
      continue;
    }
    docs.push({ row, text: source, labels });
  }
  return { docs, problems };
}
