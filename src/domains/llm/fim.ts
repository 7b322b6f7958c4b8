/**
 * Fill-in-the-middle (C5): the prompt layouts of the code-model families, chosen from the special tokens in
 * the GGUF vocabulary. Each template says which vocabulary tokens mark prefix / suffix / middle, how the
 * prompt is laid out, and which tokens end an infill. Pure: no model needed (the runtime passes a vocabulary
 * lookup and a tokenizer).
 *
 * Code Llama follows Meta's reference (`llama/generation.py`, `infilling_prompt_tokens`):
 * BOS, ▁<PRE>, encode(prefix) (SentencePiece space prefix kept), ▁<SUF>, encode_infilling(suffix) (space
 * prefix dropped), ▁<MID> — shown as `<PRE> {prefix} <SUF>{suffix} <MID>`; generation stops at <EOT>.
 */

export type FimTemplateName = 'codellama' | 'starcoder' | 'deepseek' | 'qwen' | 'codestral' | 'generic';

export type FimPart =
  | { marker: 'prefix' | 'suffix' | 'middle' }
  | { input: 'prefix' | 'suffix'; spacePrefix: boolean };

export interface FimTemplate {
  name: FimTemplateName;
  label: string;
  /** Vocabulary spellings of each marker, most common first. */
  markers: { prefix: string[]; suffix: string[]; middle: string[] };
  /** Tokens that end an infill (the model's end-of-generation tokens stop it too). */
  stop: string[];
  /** Token layout of the prompt (BOS, when the model adds one, comes first). */
  parts: FimPart[];
  /** The prompt as text, for display and for models whose markers are plain text. */
  display(prefix: string, suffix: string): string;
}

export const FIM_TEMPLATES: readonly FimTemplate[] = [
  {
    name: 'codellama',
    label: 'Code Llama (<PRE> <SUF> <MID>)',
    markers: { prefix: ['▁<PRE>', '<PRE>'], suffix: ['▁<SUF>', '<SUF>'], middle: ['▁<MID>', '<MID>'] },
    stop: ['▁<EOT>', '<EOT>'],
    parts: [{ marker: 'prefix' }, { input: 'prefix', spacePrefix: true }, { marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'middle' }],
    display: (p, s) => `<PRE> ${p} <SUF>${s} <MID>`,
  },
  {
    name: 'starcoder',
    label: 'StarCoder (<fim_prefix> <fim_suffix> <fim_middle>)',
    markers: { prefix: ['<fim_prefix>', '<fim-prefix>'], suffix: ['<fim_suffix>', '<fim-suffix>'], middle: ['<fim_middle>', '<fim-middle>'] },
    stop: ['<|endoftext|>', '<file_sep>', '<fim_pad>'],
    parts: [{ marker: 'prefix' }, { input: 'prefix', spacePrefix: false }, { marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'middle' }],
    display: (p, s) => `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`,
  },
  {
    name: 'deepseek',
    label: 'DeepSeek Coder (<｜fim▁begin｜> <｜fim▁hole｜> <｜fim▁end｜>)',
    markers: { prefix: ['<｜fim▁begin｜>'], suffix: ['<｜fim▁hole｜>'], middle: ['<｜fim▁end｜>'] },
    stop: ['<｜end▁of▁sentence｜>', '<|EOT|>'],
    parts: [{ marker: 'prefix' }, { input: 'prefix', spacePrefix: false }, { marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'middle' }],
    display: (p, s) => `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`,
  },
  {
    name: 'qwen',
    label: 'Qwen2.5-Coder / CodeGemma (<|fim_prefix|> <|fim_suffix|> <|fim_middle|>)',
    markers: { prefix: ['<|fim_prefix|>'], suffix: ['<|fim_suffix|>'], middle: ['<|fim_middle|>'] },
    stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|file_separator|>', '<|im_end|>'],
    parts: [{ marker: 'prefix' }, { input: 'prefix', spacePrefix: false }, { marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'middle' }],
    display: (p, s) => `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`,
  },
  {
    name: 'codestral',
    label: 'Codestral ([SUFFIX] [PREFIX], suffix first)',
    markers: { prefix: ['[PREFIX]'], suffix: ['[SUFFIX]'], middle: [] },
    stop: ['</s>'],
    parts: [{ marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'prefix' }, { input: 'prefix', spacePrefix: false }],
    display: (p, s) => `[SUFFIX]${s}[PREFIX]${p}`,
  },
];

export const FIM_TEMPLATE_NAMES = FIM_TEMPLATES.map((t) => t.name);

export function fimTemplate(name: string): FimTemplate | undefined {
  return FIM_TEMPLATES.find((t) => t.name === name);
}

/** Vocabulary lookup: token text → id. */
export type VocabLookup = (text: string) => number | undefined;

export function vocabLookup(tokens: readonly string[] | undefined): VocabLookup {
  const map = new Map<string, number>();
  tokens?.forEach((t, i) => {
    if (!map.has(t)) map.set(t, i);
  });
  return (text) => map.get(text);
}

export interface ResolvedFim {
  template: FimTemplate;
  /** Marker token ids; absent when the template was forced on a model whose vocabulary lacks them. */
  ids: { prefix?: number; suffix?: number; middle?: number };
  /** Marker texts as they appear in the vocabulary (or the template's canonical spelling). */
  texts: { prefix: string; suffix: string; middle: string | null };
  /** End-of-infill tokens present in the vocabulary (texts). */
  stop: string[];
  /** True when every marker is a token of the model's vocabulary. */
  native: boolean;
}

function resolveWith(template: FimTemplate, lookup: VocabLookup): ResolvedFim {
  const pick = (candidates: string[]) => {
    for (const c of candidates) {
      const id = lookup(c);
      if (id !== undefined) return { id, text: c };
    }
    return { id: undefined, text: candidates[0] };
  };
  const prefix = pick(template.markers.prefix);
  const suffix = pick(template.markers.suffix);
  const middle = template.markers.middle.length > 0 ? pick(template.markers.middle) : null;
  const native = prefix.id !== undefined && suffix.id !== undefined && (middle === null || middle.id !== undefined);
  return {
    template,
    ids: { prefix: prefix.id, suffix: suffix.id, middle: middle?.id },
    texts: { prefix: prefix.text!, suffix: suffix.text!, middle: middle?.text ?? null },
    stop: template.stop.filter((s) => lookup(s) !== undefined),
    native,
  };
}

/**
 * The FIM template for a vocabulary: the first family whose markers are all tokens of it, or null when the
 * model has no FIM tokens. `explicitIds` (GGUF `tokenizer.ggml.fim_pre_token_id` …) pick the family by their
 * texts, and describe a generic prefix-suffix-middle layout when the spelling is unknown.
 */
export function detectFimTemplate(lookup: VocabLookup, explicit?: { prefix?: string; suffix?: string; middle?: string; prefixId?: number; suffixId?: number; middleId?: number }): ResolvedFim | null {
  for (const t of FIM_TEMPLATES) {
    const r = resolveWith(t, lookup);
    if (r.native) return r;
  }
  if (explicit?.prefix && explicit.suffix && explicit.middle && explicit.prefixId !== undefined && explicit.suffixId !== undefined && explicit.middleId !== undefined) {
    const { prefix, suffix, middle } = explicit;
    const generic: FimTemplate = {
      name: 'generic',
      label: `GGUF FIM tokens (${prefix} ${suffix} ${middle})`,
      markers: { prefix: [prefix], suffix: [suffix], middle: [middle] },
      stop: [],
      parts: [{ marker: 'prefix' }, { input: 'prefix', spacePrefix: false }, { marker: 'suffix' }, { input: 'suffix', spacePrefix: false }, { marker: 'middle' }],
      display: (p, s) => `${prefix}${p}${suffix}${s}${middle}`,
    };
    return { template: generic, ids: { prefix: explicit.prefixId, suffix: explicit.suffixId, middle: explicit.middleId }, texts: { prefix, suffix, middle }, stop: [], native: true };
  }
  return null;
}

/** A named template on this vocabulary (the caller forces it); markers missing from the vocabulary stay text. */
export function forceFimTemplate(name: string, lookup: VocabLookup): ResolvedFim | null {
  const t = fimTemplate(name);
  return t ? resolveWith(t, lookup) : null;
}

/**
 * The prompt tokens of an infill request (without BOS). `tokenize(text, spacePrefix)` encodes plain text:
 * with `spacePrefix` the tokenizer's SentencePiece space prefix is kept (Meta's `encode`), without it dropped
 * (`encode_infilling`). Returns null when a marker has no token id (then use `display` as a text prompt).
 */
export function buildFimTokens(fim: ResolvedFim, prefix: string, suffix: string, tokenize: (text: string, spacePrefix: boolean) => number[]): number[] | null {
  if (!fim.native) return null;
  const out: number[] = [];
  for (const part of fim.template.parts) {
    if ('marker' in part) {
      const id = fim.ids[part.marker];
      if (id === undefined) return null;
      out.push(id);
    } else {
      const text = part.input === 'prefix' ? prefix : suffix;
      if (text !== '') out.push(...tokenize(text, part.spacePrefix));
    }
  }
  return out;
}
