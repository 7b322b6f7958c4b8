/**
 * What the catalog shows about a GGUF file: architecture, context length, chat template, special tokens
 * (FIM ones included), parameter count and quantisation — read from the header, no weights loaded.
 */
import { llamaCpp, type GgufFileInfo } from '../../runtimes/llama.ts';
import { detectFimTemplate, vocabLookup } from './fim.ts';

export interface SpecialToken {
  id: number;
  text: string;
}

export interface GgufSummary {
  ggufVersion: number;
  architecture: string;
  name: string | null;
  basename: string | null;
  sizeLabel: string | null;
  /** `general.license` from the file, when the publisher set it. */
  license: string | null;
  contextLength: number | null;
  embeddingLength: number | null;
  layers: number | null;
  heads: number | null;
  vocabSize: number | null;
  tokenizer: string | null;
  chatTemplate: string | null;
  parameterCount: number;
  /** `general.file_type` (llama.cpp's ftype) and its name, e.g. 15 → "Q4_K_M". */
  fileType: number | null;
  quantization: string;
  /** Tensor types by parameter share, e.g. {"Q4_K": 0.81, "Q6_K": 0.12, "F32": 0.07}. */
  tensorTypes: Record<string, number>;
  specialTokens: {
    bos: SpecialToken | null;
    eos: SpecialToken | null;
    eot: SpecialToken | null;
    unk: SpecialToken | null;
    pad: SpecialToken | null;
    addBos: boolean | null;
    fim: { template: string; prefix: SpecialToken | null; suffix: SpecialToken | null; middle: SpecialToken | null; stop: string[] } | null;
  };
  sizeBytes: number;
}

type Meta = Record<string, any>;


export function fileTypeName(fileType: number | null | undefined): string {
  if (fileType === null || fileType === undefined) return 'unknown';
  // node-llama-cpp is loaded: a GgufFileInfo comes from readGguf.
  const name = (llamaCpp().GgufFileType as unknown as Record<number, string>)[fileType];
  if (!name) return `ftype ${fileType}`;
  return name === 'ALL_F32' ? 'F32' : name.replace(/^MOSTLY_/, '');
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function token(tokens: readonly string[] | undefined, id: unknown): SpecialToken | null {
  const n = num(id);
  if (n === null || n < 0) return null;
  return { id: n, text: tokens?.[n] ?? `#${n}` };
}

export function summarizeGguf(info: GgufFileInfo, sizeBytes: number): GgufSummary {
  const md = info.metadata as Meta;
  const general = (md.general ?? {}) as Meta;
  const arch = String(general.architecture ?? 'unknown');
  const archMeta = (md[arch] ?? {}) as Meta;
  const tok = ((md.tokenizer ?? {}) as Meta).ggml as Meta | undefined;
  const vocab = Array.isArray(tok?.tokens) ? (tok!.tokens as string[]) : undefined;

  const { GgmlType } = llamaCpp();
  let params = 0;
  const byType = new Map<string, number>();
  for (const t of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    const n = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    params += n;
    const name = (GgmlType as unknown as Record<number, string>)[t.ggmlType as number] ?? `type${t.ggmlType}`;
    byType.set(name, (byType.get(name) ?? 0) + n);
  }
  const tensorTypes: Record<string, number> = {};
  for (const [k, v] of [...byType].sort((a, b) => b[1] - a[1])) tensorTypes[k] = params > 0 ? Number((v / params).toFixed(4)) : 0;

  const lookup = vocabLookup(vocab);
  const explicit = {
    prefixId: num(tok?.fim_pre_token_id ?? tok?.prefix_token_id) ?? undefined,
    suffixId: num(tok?.fim_suf_token_id ?? tok?.suffix_token_id) ?? undefined,
    middleId: num(tok?.fim_mid_token_id ?? tok?.middle_token_id) ?? undefined,
  };
  const fim = detectFimTemplate(lookup, {
    ...explicit,
    prefix: explicit.prefixId !== undefined ? vocab?.[explicit.prefixId] : undefined,
    suffix: explicit.suffixId !== undefined ? vocab?.[explicit.suffixId] : undefined,
    middle: explicit.middleId !== undefined ? vocab?.[explicit.middleId] : undefined,
  });
  const fileType = num(general.file_type);
  return {
    ggufVersion: info.version,
    architecture: arch,
    name: str(general.name),
    basename: str(general.basename),
    sizeLabel: str(general.size_label),
    license: str(general.license) ?? str(general.license?.name),
    contextLength: num(archMeta.context_length),
    embeddingLength: num(archMeta.embedding_length),
    layers: num(archMeta.block_count),
    heads: num(archMeta.attention?.head_count),
    vocabSize: vocab?.length ?? null,
    tokenizer: str(tok?.model),
    chatTemplate: str((md.tokenizer as Meta | undefined)?.chat_template),
    parameterCount: params,
    fileType,
    quantization: fileTypeName(fileType),
    tensorTypes,
    specialTokens: {
      bos: token(vocab, tok?.bos_token_id),
      eos: token(vocab, tok?.eos_token_id),
      eot: token(vocab, tok?.eot_token_id),
      unk: token(vocab, tok?.unknown_token_id),
      pad: token(vocab, tok?.padding_token_id),
      addBos: typeof tok?.add_bos_token === 'boolean' ? tok.add_bos_token : null,
      fim: fim
        ? {
            template: fim.template.name,
            prefix: fim.ids.prefix !== undefined ? { id: fim.ids.prefix, text: fim.texts.prefix } : null,
            suffix: fim.ids.suffix !== undefined ? { id: fim.ids.suffix, text: fim.texts.suffix } : null,
            middle: fim.ids.middle !== undefined && fim.texts.middle ? { id: fim.ids.middle, text: fim.texts.middle } : null,
            stop: fim.stop,
          }
        : null,
    },
    sizeBytes,
  };
}

/** "260K", "6.7B" — a short human parameter count. */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}K`;
  return String(n);
}
