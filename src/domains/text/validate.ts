/**
 * Comprehend's training-data rules and limits (reference: ml-anchors §1.1–1.2), each broken rule
 * reported with its row, its own code and the fix. Errors stop training; warnings are kept with the
 * dataset version and shown.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import type { LabeledDocument, TextMode } from './formats.ts';

/** Comprehend's allowed one-character multi-label delimiters (API `LabelDelimiter`). */
export const ALLOWED_DELIMITERS = [' ', '~', '!', '@', '#', '$', '%', '^', '*', '-', '_', '+', '=', '|', '\\', ':', ';', '\t', '>', '?', '/'];

export const TEXT_LIMITS = {
  maxClassesMultiClass: 1000,
  maxLabelsMultiLabel: 100,
  minDocsPerClassMultiClass: 50,
  minDocsPerLabelMultiLabel: 10,
  minDocsMultiLabel: 50,
  maxLabelChars: 5000,
  /** Comprehend's per-document limit for one-document-per-file input (10 MB). */
  maxDocumentBytes: 10 * 1024 * 1024,
  /** Above this skew between the largest and smallest class, Comprehend advises rebalancing. */
  maxSkew: 10,
} as const;

const MAX_REPORTED_PER_RULE = 20;

export function validateDelimiter(delimiter: string): Problem[] {
  if (delimiter.length === 1 && ALLOWED_DELIMITERS.includes(delimiter)) return [];
  return [{ field: 'delimiter', problem: `label delimiter ${JSON.stringify(delimiter)} is not one of Comprehend's allowed characters`, fix: `Use one character from: ${ALLOWED_DELIMITERS.map((d) => JSON.stringify(d)).join(' ')} (default "|").`, severity: 'error', code: 'TEXT_DELIMITER_INVALID' }];
}

/** Pushes at most MAX_REPORTED_PER_RULE problems of one rule, then a summary line. */
function capped(problems: Problem[]) {
  const counts = new Map<string, number>();
  return (p: Problem) => {
    const key = p.code ?? p.problem;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n <= MAX_REPORTED_PER_RULE) problems.push(p);
    else if (n === MAX_REPORTED_PER_RULE + 1) problems.push({ ...p, row: undefined, problem: `more rows break this rule (first ${MAX_REPORTED_PER_RULE} listed)`, fix: p.fix });
  };
}

/** Documents per label (a label repeated within a document counts once). */
export function labelCounts(docs: LabeledDocument[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of docs) {
    // no Set per document (training checks count 10k documents' labels three times): labels are few per document
    const ls = d.labels;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      if (i > 0 && ls.indexOf(l) < i) continue;
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  }
  return counts;
}

/** Whether `text` is empty once trimmed; a printable ASCII first character answers without trim's copy. */
function blank(text: string): boolean {
  const c = text.charCodeAt(0);
  return !(c > 32 && c < 127) && text.trim() === '';
}

/** A UTF-16 code unit is at most 3 UTF-8 bytes: shorter texts cannot break the byte limit (no byteLength scan). */
const MAX_SAFE_DOCUMENT_CHARS = Math.floor(TEXT_LIMITS.maxDocumentBytes / 3);

export interface ValidateOptions {
  mode: TextMode;
  delimiter?: string;
}

export function validateTrainingDocs(docs: LabeledDocument[], options: ValidateOptions): Problem[] {
  const problems: Problem[] = [];
  const add = capped(problems);
  const delimiter = options.delimiter ?? '|';
  if (options.mode === 'multi-label') problems.push(...validateDelimiter(delimiter));
  const otherDelimiters = ALLOWED_DELIMITERS.filter((d) => d !== delimiter && d !== ' ' && d !== '-' && d !== '_');
  // one native scan per label for any of them; only a label that has one looks for which (the first in list order)
  const anyOtherDelimiter = new RegExp(`[${otherDelimiters.map((d) => `\\u${d.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`);

  if (docs.length > 0 && /^(label|labels|class|category)$/i.test(docs[0]!.labels.join('')) && /^(text|document|comment_text|sentence)$/i.test(docs[0]!.text.trim())) {
    add({ row: docs[0]!.row, problem: 'the first row looks like a header', fix: 'Remove the header row: Comprehend CSV files have none (it would be trained on as a document).', severity: 'warning', code: 'TEXT_HEADER_ROW' });
  }

  for (const d of docs) {
    if (blank(d.text)) add({ row: d.row, field: 'text', problem: 'the document text is empty', fix: 'Remove the row or fill in its text.', severity: 'error', code: 'TEXT_EMPTY_DOCUMENT' });
    else if (d.text.length > MAX_SAFE_DOCUMENT_CHARS && Buffer.byteLength(d.text, 'utf8') > TEXT_LIMITS.maxDocumentBytes) add({ row: d.row, field: 'text', problem: `the document is ${Buffer.byteLength(d.text, 'utf8')} bytes, over the ${TEXT_LIMITS.maxDocumentBytes}-byte limit`, fix: 'Split the document into smaller ones.', severity: 'error', code: 'TEXT_DOCUMENT_TOO_LARGE' });
    if (d.labels.length === 0 || d.labels.some((l) => l === '')) {
      add({ row: d.row, field: 'label', problem: d.labels.length === 0 ? 'the row has no label' : 'the row has an empty label (e.g. a doubled or trailing delimiter)', fix: 'Give every document at least one non-empty label.', severity: 'error', code: 'TEXT_EMPTY_LABEL' });
    }
    for (const l of d.labels) {
      if (l !== '' && l !== l.trim()) add({ row: d.row, field: 'label', problem: `label ${JSON.stringify(l)} has leading or trailing spaces, so it is a different class from ${JSON.stringify(l.trim())}`, fix: 'Remove the spaces around the label.', severity: 'error', code: 'TEXT_LABEL_WHITESPACE' });
      if (l.length > TEXT_LIMITS.maxLabelChars) add({ row: d.row, field: 'label', problem: `label is ${l.length} characters, over the ${TEXT_LIMITS.maxLabelChars} limit`, fix: 'Use a shorter class name.', severity: 'error', code: 'TEXT_LABEL_TOO_LONG' });
      const merged = anyOtherDelimiter.test(l) ? otherDelimiters.find((c) => l.includes(c)) : undefined;
      if (merged !== undefined) {
        add({ row: d.row, field: 'label', problem: `label ${JSON.stringify(l)} contains ${JSON.stringify(merged)}, another allowed delimiter: labels may have been merged into one`, fix: options.mode === 'multi-label' ? `If ${JSON.stringify(merged)} separates labels, train with --delimiter ${JSON.stringify(merged)}.` : `If this row has several labels, train in multi-label mode with --delimiter ${JSON.stringify(merged)}.`, severity: 'warning', code: 'TEXT_DELIMITER_MERGED' });
      }
    }
  }

  checkCounts(docs, options.mode, add);
  checkConflictingDuplicates(docs, add);
  return problems;
}

function checkCounts(docs: LabeledDocument[], mode: TextMode, add: (p: Problem) => void): void {
  const counts = labelCounts(docs);
  const n = counts.size;
  if (mode === 'multi-class') {
    if (n < 2) add({ field: 'label', problem: `multi-class training needs at least 2 classes, found ${n}`, fix: 'Add documents of at least one more class.', severity: 'error', code: 'TEXT_TOO_FEW_CLASSES' });
    if (n > TEXT_LIMITS.maxClassesMultiClass) add({ field: 'label', problem: `${n} classes, over the ${TEXT_LIMITS.maxClassesMultiClass}-class limit`, fix: 'Merge rare classes or split the problem into several classifiers.', severity: 'error', code: 'TEXT_TOO_MANY_CLASSES' });
  } else {
    if (n > TEXT_LIMITS.maxLabelsMultiLabel) add({ field: 'label', problem: `${n} labels, over the ${TEXT_LIMITS.maxLabelsMultiLabel}-label limit for multi-label`, fix: 'Merge rare labels or check the delimiter.', severity: 'error', code: 'TEXT_TOO_MANY_CLASSES' });
    if (docs.length < TEXT_LIMITS.minDocsMultiLabel) add({ problem: `${docs.length} documents; multi-label training needs at least ${TEXT_LIMITS.minDocsMultiLabel}`, fix: 'Add more labeled documents.', severity: 'error', code: 'TEXT_TOO_FEW_DOCUMENTS' });
  }
  const min = mode === 'multi-class' ? TEXT_LIMITS.minDocsPerClassMultiClass : TEXT_LIMITS.minDocsPerLabelMultiLabel;
  for (const [label, count] of [...counts].sort((a, b) => a[1] - b[1])) {
    if (count < min) add({ field: 'label', problem: `label ${JSON.stringify(label)} has ${count} documents; ${mode} training needs at least ${min} per label`, fix: `Add at least ${min - count} more documents labeled ${JSON.stringify(label)}, or remove the label.`, severity: 'error', code: 'TEXT_TOO_FEW_EXAMPLES' });
  }
  const values = [...counts.values()];
  if (values.length >= 2) {
    const skew = Math.max(...values) / Math.max(1, Math.min(...values));
    if (skew > TEXT_LIMITS.maxSkew) add({ field: 'label', problem: `the largest label has ${skew.toFixed(1)}× the documents of the smallest (over ${TEXT_LIMITS.maxSkew}:1)`, fix: 'Add documents to rare labels, or tune per-label thresholds after training.', severity: 'warning', code: 'TEXT_LABEL_SKEW' });
  }
}

/** Any whitespace but a single space (`\s` is the set String.prototype.trim removes too). */
const UNUSUAL_SPACE = /[^\S ]| {2}/;

/**
 * The text two documents are compared by: trimmed, whitespace runs as one space, lower-cased. Most texts have only
 * single spaces between words, and for them trimming and collapsing change nothing, so they skip the regex replace
 * (which copies every text: most of the check's time on a 10k-document set, issue 17). Same key as before for every
 * text: a text reaches the short path only when it neither starts nor ends with a space and has no other whitespace.
 */
export function duplicateKey(text: string): string {
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) !== 32 && text.charCodeAt(n - 1) !== 32 && !UNUSUAL_SPACE.test(text)) return text.toLowerCase();
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function checkConflictingDuplicates(docs: LabeledDocument[], add: (p: Problem) => void): void {
  const seen = new Map<string, LabeledDocument>();
  for (const d of docs) {
    const key = duplicateKey(d.text);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, d);
      continue;
    }
    const a = [...new Set(first.labels)].sort().join('\u0000');
    const b = [...new Set(d.labels)].sort().join('\u0000');
    if (a !== b) add({ row: d.row, field: 'label', problem: `same text as row ${first.row} but different labels (${d.labels.join(', ')} vs ${first.labels.join(', ')})`, fix: `Give rows ${first.row} and ${d.row} the same labels, or remove one.`, severity: 'warning', code: 'TEXT_DUPLICATE_CONFLICT' });
  }
}

/** A user-supplied test set must contain every training label (Comprehend's rule). */
export function validateTestDocs(train: LabeledDocument[], test: LabeledDocument[]): Problem[] {
  const testLabels = labelCounts(test);
  const missing = [...labelCounts(train).keys()].filter((l) => !testLabels.has(l));
  return missing.map((l) => ({ field: 'label', problem: `the test set has no document labeled ${JSON.stringify(l)}`, fix: `Add at least one test document labeled ${JSON.stringify(l)} (Comprehend requires every training label in the test set).`, severity: 'error' as const, code: 'TEXT_TEST_LABEL_MISSING' }));
}

/** Throws one AppError for all validation errors; its code is the rule's when a single rule is broken. */
export function throwIfErrors(problems: Problem[], what: string): void {
  const errors = problems.filter((p) => p.severity !== 'warning');
  if (errors.length === 0) return;
  const codes = [...new Set(errors.map((p) => p.code).filter((c): c is string => Boolean(c)))];
  const code = codes.length === 1 && /^TEXT_[A-Z_]+$/.test(codes[0]!) ? codes[0]! : 'TEXT_VALIDATION_FAILED';
  throw new AppError(code as 'TEXT_VALIDATION_FAILED', `${what} failed validation: ${errors[0]!.row !== undefined ? `row ${errors[0]!.row}: ` : ''}${errors[0]!.problem}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}.`, { problems });
}
