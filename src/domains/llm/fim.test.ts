import { describe, expect, it } from 'vitest';
import { buildFimTokens, detectFimTemplate, FIM_TEMPLATES, fimTemplate, forceFimTemplate, vocabLookup } from './fim.ts';

const P = 'def add(a, b):\n    ';
const S = '\n    return c\n';

describe('FIM template table', () => {
  it('renders each family\'s prompt string', () => {
    expect(fimTemplate('codellama')!.display(P, S)).toBe(`<PRE> ${P} <SUF>${S} <MID>`);
    expect(fimTemplate('starcoder')!.display(P, S)).toBe(`<fim_prefix>${P}<fim_suffix>${S}<fim_middle>`);
    expect(fimTemplate('deepseek')!.display(P, S)).toBe(`<｜fim▁begin｜>${P}<｜fim▁hole｜>${S}<｜fim▁end｜>`);
    expect(fimTemplate('qwen')!.display(P, S)).toBe(`<|fim_prefix|>${P}<|fim_suffix|>${S}<|fim_middle|>`);
    expect(fimTemplate('codestral')!.display(P, S)).toBe(`[SUFFIX]${S}[PREFIX]${P}`);
  });

  it('stops at each family\'s end-of-infill token', () => {
    expect(fimTemplate('codellama')!.stop).toContain('<EOT>');
    expect(fimTemplate('starcoder')!.stop).toContain('<|endoftext|>');
    expect(fimTemplate('deepseek')!.stop).toContain('<｜end▁of▁sentence｜>');
    expect(fimTemplate('qwen')!.stop).toEqual(expect.arrayContaining(['<|endoftext|>', '<|fim_pad|>']));
  });

  it('has unique names', () => {
    expect(new Set(FIM_TEMPLATES.map((t) => t.name)).size).toBe(FIM_TEMPLATES.length);
  });
});

describe('FIM detection from the GGUF vocabulary', () => {
  const base = ['<unk>', '<s>', '</s>', '▁def', 'a'];

  it('picks Code Llama from ▁<PRE> ▁<SUF> ▁<MID> ▁<EOT>', () => {
    const vocab = [...base, '▁<PRE>', '▁<SUF>', '▁<MID>', '▁<EOT>'];
    const fim = detectFimTemplate(vocabLookup(vocab))!;
    expect(fim.template.name).toBe('codellama');
    expect(fim.ids).toEqual({ prefix: 5, suffix: 6, middle: 7 });
    expect(fim.stop).toEqual(['▁<EOT>']);
    expect(fim.native).toBe(true);
  });

  it('picks StarCoder, DeepSeek, Qwen and Codestral from their tokens', () => {
    expect(detectFimTemplate(vocabLookup([...base, '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<|endoftext|>']))!.template.name).toBe('starcoder');
    expect(detectFimTemplate(vocabLookup([...base, '<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>']))!.template.name).toBe('deepseek');
    expect(detectFimTemplate(vocabLookup([...base, '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|endoftext|>']))!.template.name).toBe('qwen');
    expect(detectFimTemplate(vocabLookup([...base, '[SUFFIX]', '[PREFIX]']))!.template.name).toBe('codestral');
  });

  it('returns null for a model without FIM tokens (needs all markers)', () => {
    expect(detectFimTemplate(vocabLookup(base))).toBeNull();
    expect(detectFimTemplate(vocabLookup([...base, '<fim_prefix>', '<fim_suffix>']))).toBeNull();
  });

  it('uses explicit GGUF fim_*_token_id tokens with unknown spellings as a generic layout', () => {
    const vocab = [...base, '<PFX>', '<SFX>', '<MDL>'];
    const fim = detectFimTemplate(vocabLookup(vocab), { prefix: '<PFX>', suffix: '<SFX>', middle: '<MDL>', prefixId: 5, suffixId: 6, middleId: 7 })!;
    expect(fim.template.name).toBe('generic');
    expect(fim.template.display('x', 'y')).toBe('<PFX>x<SFX>y<MDL>');
  });

  it('a forced template on a vocabulary without its markers is not native', () => {
    const fim = forceFimTemplate('codellama', vocabLookup(base))!;
    expect(fim.native).toBe(false);
    expect(buildFimTokens(fim, P, S, () => [1])).toBeNull();
    expect(forceFimTemplate('nope', vocabLookup(base))).toBeNull();
  });
});

describe('FIM prompt tokens', () => {
  // A fake tokenizer: one token per character code; the SentencePiece space prefix is token 9.
  const tok = (text: string, spacePrefix: boolean) => [...(spacePrefix ? [9] : []), ...[...text].map((c) => c.charCodeAt(0))];

  it("Code Llama: PRE, prefix with space prefix, SUF, suffix without, MID (Meta's infilling_prompt_tokens)", () => {
    const fim = detectFimTemplate(vocabLookup(['<unk>', '▁<PRE>', '▁<SUF>', '▁<MID>']))!;
    expect(buildFimTokens(fim, 'ab', 'c', tok)).toEqual([1, 9, 97, 98, 2, 99, 3]);
  });

  it('StarCoder: markers and text in prefix-suffix-middle order, no space prefixes', () => {
    const fim = detectFimTemplate(vocabLookup(['<unk>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>']))!;
    expect(buildFimTokens(fim, 'ab', 'c', tok)).toEqual([1, 97, 98, 2, 99, 3]);
  });

  it('Codestral: suffix first, no middle marker; empty texts add no tokens', () => {
    const fim = detectFimTemplate(vocabLookup(['<unk>', '[SUFFIX]', '[PREFIX]']))!;
    expect(buildFimTokens(fim, 'a', '', tok)).toEqual([1, 2, 97]);
  });
});
