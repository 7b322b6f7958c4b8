/**
 * Small, learnable labeled text for fast tests: each class has its own vocabulary mixed with shared
 * filler words, generated from a seeded PRNG so every run sees the same documents.
 */
import { mulberry32 } from '../../../ml/split/prng.ts';

const FILLER = ['the', 'a', 'we', 'it', 'was', 'and', 'this', 'very', 'today', 'really', 'my', 'our'];
export const CLASS_WORDS: Record<string, string[]> = {
  billing: ['invoice', 'charged', 'refund', 'payment', 'card', 'bill', 'price', 'receipt'],
  shipping: ['delivery', 'parcel', 'courier', 'tracking', 'shipped', 'package', 'arrived', 'box'],
  account: ['password', 'login', 'email', 'username', 'reset', 'profile', 'locked', 'signin'],
};

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function syntheticSentence(label: string, rng: () => number): string {
  const own = CLASS_WORDS[label]!;
  const words: string[] = [];
  for (let i = 0; i < 10; i++) {
    const pool = rng() < 0.5 ? own : FILLER;
    words.push(pool[Math.floor(rng() * pool.length)]!);
  }
  return words.join(' ');
}

/** Comprehend multi-class CSV (no header), `perClass` rows per class. */
export function multiClassCsv(perClass = 60, seed = 1, labels = Object.keys(CLASS_WORDS)): string {
  const rng = mulberry32(seed);
  const rows: string[] = [];
  for (let i = 0; i < perClass; i++) for (const l of labels) rows.push(`${l},${csvField(`${syntheticSentence(l, () => rng.next())}, row ${i}`)}`);
  return `${rows.join('\n')}\n`;
}

/** Comprehend multi-label CSV: each row has one or two labels joined by `delimiter`. */
export function multiLabelCsv(rowsCount = 120, seed = 2, delimiter = '|'): string {
  const rng = mulberry32(seed);
  const labels = Object.keys(CLASS_WORDS);
  const rows: string[] = [];
  for (let i = 0; i < rowsCount; i++) {
    const a = labels[i % labels.length]!;
    const b = rng.next() < 0.4 ? labels[(i + 1) % labels.length]! : undefined;
    const text = `${syntheticSentence(a, () => rng.next())} ${b ? syntheticSentence(b, () => rng.next()) : ''} #${i}`;
    rows.push(`${b ? `${a}${delimiter}${b}` : a},${csvField(text.trim())}`);
  }
  return `${rows.join('\n')}\n`;
}
