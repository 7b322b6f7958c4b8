/**
 * Sentence segmentation for extractive summarization, written for scientific text (tested on lower-cased
 * biomedical articles): a sentence ends at `.`, `!` or `?` (plus closing quotes/brackets) followed by white
 * space, except after abbreviations ("e.g.", "et al.", "fig.", "vs."), single-letter initials or genus names
 * ("e. coli", "t. cruzi") and numbered references ("no. 3"). Decimals ("0.05") never split because no space
 * follows the point; citation markers ("<cit> .", "[12].") stay with the sentence they support.
 * Blank lines separate paragraphs; a short line without final punctuation (e.g. "BACKGROUND", "## Methods")
 * is a heading: it starts a section and is never a sentence.
 */

export interface Sentence {
  text: string;
  /** Character offsets in the input. */
  start: number;
  end: number;
  /** 0-based paragraph and section indices (sections start at headings). */
  paragraph: number;
  section: number;
  /** Position of the sentence within its paragraph (0 = first). */
  indexInParagraph: number;
}

export interface Section {
  /** The heading text ('' for text before the first heading). */
  heading: string;
  index: number;
}

export interface SegmentedDocument {
  sentences: Sentence[];
  sections: Section[];
  paragraphs: number;
}

const ABBREVIATIONS = new Set([
  'al', 'e.g', 'eg', 'i.e', 'ie', 'etc', 'fig', 'figs', 'eq', 'eqs', 'eqn', 'vs', 'ca', 'cf', 'resp', 'no', 'nos', 'vol', 'vols',
  'pp', 'ref', 'refs', 'dr', 'mr', 'mrs', 'ms', 'prof', 'st', 'sp', 'spp', 'subsp', 'var', 'cv', 'inc', 'ltd', 'co', 'corp', 'jr', 'sr',
  'tab', 'suppl', 'sec', 'ch', 'ed', 'eds', 'est', 'dept', 'univ', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'approx', 'nat', 'sci', 'biol', 'natl', 'acad', 'u.s', 'u.k', 'viz', 'incl',
]);
/** Words that also end sentences: an abbreviation only when a number follows ("no. 12", "vol. 3"). */
const AMBIGUOUS = new Set(['no', 'nos', 'etc', 'vol', 'vols', 'ch', 'sec', 'tab', 'est', 'ed', 'eds', 'co', 'inc', 'ltd', 'mar', 'jan', 'dec', 'sep', 'oct', 'nov', 'aug', 'jun', 'jul', 'apr', 'feb']);

const HEADING_MAX_WORDS = 8;

function isHeading(line: string): boolean {
  const t = line.trim().replace(/^#+\s*/, '');
  if (t.length === 0 || t.length > 80) return false;
  if (/[.!?:;,]$/.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length > HEADING_MAX_WORDS) return false;
  if (/^#+\s/.test(line.trim())) return true;
  // Upper-case lines ("BACKGROUND", "RESULTS AND DISCUSSION") or a short Title Case line standing alone.
  const letters = t.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 3 && letters === letters.toUpperCase()) return true;
  // A short Title Case line ("Materials and Methods"): starts upper-case, every longer word capitalised.
  return letters.length >= 3 && /^[A-Z]/.test(t) && words.length <= 6 && words.every((w) => /^[A-Z0-9]/.test(w) || w.length <= 4);
}

/** The word just before `pos` (the character before `pos` is the final punctuation), lower-cased, without a leading bracket. */
function wordBefore(text: string, pos: number): string {
  let i = pos - 1;
  while (i >= 0 && !/\s/.test(text[i]!)) i--;
  return text.slice(i + 1, pos).toLowerCase().replace(/^[("[{'"]+/, '');
}

/** Whether most sentence starts in the text are capitalised: then a lower-case word after a point continues a sentence. */
function looksCased(text: string): boolean {
  let upper = 0;
  let lower = 0;
  const re = /[.!?]\s+([A-Za-z])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && upper + lower < 2000) {
    if (m[1]! >= 'a' && m[1]! <= 'z') lower++;
    else upper++;
  }
  return upper > lower;
}

/** Splits one paragraph (no blank lines inside) into sentence spans [start, end) relative to the paragraph. */
export function sentenceSpans(text: string, cased = looksCased(text)): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = 0;
  const re = /[.!?]+["')\]]*(?=\s)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const punct = m.index;
    const end = m.index + m[0].length;
    let next = end;
    while (next < text.length && /\s/.test(text[next]!)) next++;
    if (next >= text.length) break;
    const nextChar = text[next]!;
    if (text[punct] === '.' && !/[.!?]/.test(text[punct + 1] ?? '')) {
      const prev = wordBefore(text, punct);
      const bare = prev.replace(/[^a-z0-9.]/g, '');
      if (ABBREVIATIONS.has(bare) && (!AMBIGUOUS.has(bare) || /[0-9]/.test(nextChar))) continue;
      // Initials and genus abbreviations: "t. cruzi", "J. Smith", "e. coli".
      // …but a unit after a number ends the sentence: "for 2 h. serum was", "at 46 °c. for".
      const unit = /^[a-z]$/.test(bare) && /(\d|<dig>|°)\s*$/.test(text.slice(Math.max(0, punct - 12), punct - 1));
      if (!unit && /^[a-z]$/.test(bare) && (/[a-z]/.test(nextChar) || (cased && /[A-Z]/.test(nextChar) && /^[A-Z]$/.test(text[punct - 1] ?? '')))) continue;
      // Dotted abbreviations not in the list ("u.s.a.").
      if (/^([a-z]\.)+[a-z]$/.test(bare)) continue;
    }
    if (cased && /[a-z]/.test(nextChar)) continue;
    spans.push([start, end]);
    start = next;
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans.map(([s, e]) => {
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    return [s, e] as [number, number];
  }).filter(([s, e]) => e > s);
}

/** Sections (at headings) → paragraphs (at blank lines, or at single line breaks) → sentences. */
export function segmentDocument(text: string): SegmentedDocument {
  const cased = looksCased(text);
  const sentences: Sentence[] = [];
  const sections: Section[] = [{ heading: '', index: 0 }];
  let paragraph = -1;
  const lineRe = /[^\n]*(\n|$)/g;
  let m: RegExpExecArray | null;
  while ((m = lineRe.exec(text)) !== null) {
    if (m[0].length === 0) break;
    const lineStart = m.index;
    const line = m[0].replace(/\r?\n$/, '');
    if (line.trim().length === 0) continue;
    if (isHeading(line)) {
      const heading = line.trim().replace(/^#+\s*/, '');
      if (sentences.length === 0 && sections.length === 1 && sections[0]!.heading === '') sections[0] = { heading, index: 0 };
      else sections.push({ heading, index: sections.length });
      continue;
    }
    paragraph++;
    let k = 0;
    for (const [s, e] of sentenceSpans(line, cased)) {
      sentences.push({ text: line.slice(s, e), start: lineStart + s, end: lineStart + e, paragraph, section: sections.length - 1, indexInParagraph: k++ });
    }
  }
  return { sentences, sections, paragraphs: paragraph + 1 };
}

/** Plain sentence texts of a document. */
export function splitSentences(text: string): string[] {
  return segmentDocument(text).sentences.map((s) => s.text);
}
