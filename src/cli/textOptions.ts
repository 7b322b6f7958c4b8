/**
 * What the text-classifier commands (text.ts, quality.ts) share: the training-data format options and the body
 * fields they become, and the metrics the API returns (images.ts reads the same per-label shape).
 */
import type { Command } from 'commander';

export interface PerLabel {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  auc: number | null;
}
export interface TextMetrics {
  mode: string;
  labels: string[];
  accuracy?: number;
  macro_f1: number;
  micro_f1: number;
  hamming_loss?: number;
  mean_auc: number | null;
  per_label: Record<string, PerLabel>;
  [k: string]: unknown;
}

export interface FormatOptions {
  mode: string;
  delimiter?: string;
  format?: string;
  textColumn?: string;
  labelColumns?: string;
  noneLabel?: string;
}

export function formatBody(o: FormatOptions) {
  return {
    mode: o.mode,
    ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}),
    ...(o.format ? { format: o.format } : {}),
    ...(o.textColumn ? { textColumn: o.textColumn } : {}),
    ...(o.labelColumns ? { labelColumns: o.labelColumns.split(',').map((s) => s.trim()) } : {}),
    ...(o.noneLabel !== undefined ? { noneLabel: o.noneLabel } : {}),
  };
}

export function withFormatOptions(cmd: Command): Command {
  return cmd
    .option('--mode <mode>', 'multi-class | multi-label', 'multi-class')
    .option('--delimiter <char>', 'multi-label delimiter in Comprehend CSV (one of Comprehend\'s allowed characters)', '|')
    .option('--format <format>', 'auto | comprehend-csv | wide-csv | jsonl | augmented-manifest', 'auto')
    .option('--text-column <name>', 'wide CSV: the text column')
    .option('--label-columns <a,b,c>', 'wide CSV: the 0/1 label columns')
    .option('--none-label <name>', 'label for rows with no positive label (wide CSV / JSONL)');
}

/** --test-fraction / --seed: how a labeled dataset is split into training and test parts (`help` per command). */
export interface SplitOptions {
  testFraction: string;
  seed: string;
}

export function withSplitOptions(cmd: Command, help: { fraction: string; seed: string }): Command {
  return cmd.option('--test-fraction <f>', help.fraction, '0.2').option('--seed <n>', help.seed, '42');
}

export function splitBody(o: SplitOptions): { testFraction: number; seed: number } {
  return { testFraction: Number(o.testFraction), seed: Number(o.seed) };
}
