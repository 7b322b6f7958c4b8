/** The Summarize form's state → the request (JSON body or multipart fields). Pure, unit-tested. */
import type { SummarizeMode } from './api.ts';

export interface SummarizeForm {
  /** 'extractive' or an endpoint name. */
  engine: string;
  mode: SummarizeMode;
  maxWords: number | '';
  chunkSize: number | '';
  chunkOverlap: number | '';
  maxNewTokens: number | '';
  tokenMax: number | '';
  mapPrompt: string;
  combinePrompt: string;
  refinePrompt: string;
}

export const EMPTY_FORM: SummarizeForm = {
  engine: 'extractive',
  mode: 'map-reduce',
  maxWords: '',
  chunkSize: '',
  chunkOverlap: '',
  maxNewTokens: '',
  tokenMax: '',
  mapPrompt: '',
  combinePrompt: '',
  refinePrompt: '',
};

/** Request options: only what the user set (prompts only when edited from the defaults). */
export function requestOptions(f: SummarizeForm, defaults?: { map: string; combine: string; refine: string }): Record<string, string | number | { endpoint: string }> {
  const out: Record<string, string | number | { endpoint: string }> = {};
  if (f.engine === 'extractive') {
    out.engine = 'extractive';
    if (f.maxWords !== '') out.maxWords = f.maxWords;
    return out;
  }
  out.engine = { endpoint: f.engine };
  out.mode = f.mode;
  for (const k of ['chunkSize', 'chunkOverlap', 'maxNewTokens', 'tokenMax'] as const) if (f[k] !== '') out[k] = f[k];
  const edited = (v: string, d: string | undefined) => v.trim() !== '' && v !== d;
  if (edited(f.mapPrompt, defaults?.map)) out.mapPrompt = f.mapPrompt;
  if (f.mode === 'map-reduce' && edited(f.combinePrompt, defaults?.combine)) out.combinePrompt = f.combinePrompt;
  if (f.mode === 'refine' && edited(f.refinePrompt, defaults?.refine)) out.refinePrompt = f.refinePrompt;
  return out;
}

/** The same options as multipart form fields (engine as "extractive" or "endpoint:NAME"). */
export function formFields(options: Record<string, string | number | { endpoint: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) out[k] = typeof v === 'object' ? `endpoint:${v.endpoint}` : String(v);
  return out;
}

/** "map 3", "collapse r1 · 2", "combine" — a short label for an LLM call. */
export function callLabel(c: { stage: string; index: number; round: number }): string {
  if (c.stage === 'combine' || c.stage === 'single') return c.stage;
  return c.round ? `${c.stage} r${c.round} · ${c.index + 1}` : `${c.stage} ${c.index + 1}`;
}
