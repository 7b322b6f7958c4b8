/**
 * Default prompts (editable per request). The map prompt is LangChain's `map_reduce` default; the refine prompts
 * are LangChain's `refine` defaults. Prompts are raw completions: a chat model's instruction format, if wanted,
 * belongs in the prompt text. `{text}` is replaced by the chunk (or the joined summaries); `{existing_answer}` by
 * the running summary in refine mode.
 */
import { AppError, type Problem } from '../../core/errors.ts';

export const DEFAULT_MAP_PROMPT = `Write a concise summary of the following:


"{text}"


CONCISE SUMMARY:`;

export const DEFAULT_COMBINE_PROMPT = `The following are summaries of consecutive parts of one document:


"{text}"


Write a concise summary of the whole document.
CONCISE SUMMARY:`;

export const DEFAULT_REFINE_PROMPT = `Your job is to produce a final summary.
We have provided an existing summary up to a certain point: {existing_answer}
We have the opportunity to refine the existing summary (only if needed) with some more context below.
------------
{text}
------------
Given the new context, refine the original summary.
If the context isn't useful, return the original summary.`;

export interface Prompts {
  map: string;
  combine: string;
  refine: string;
}

export const DEFAULT_PROMPTS: Prompts = { map: DEFAULT_MAP_PROMPT, combine: DEFAULT_COMBINE_PROMPT, refine: DEFAULT_REFINE_PROMPT };

/** Fills `{text}` and `{existing_answer}` (each once; other braces are left alone). */
export function fillPrompt(template: string, values: { text: string; existing_answer?: string }): string {
  return template.replace(/\{(text|existing_answer)\}/g, (_, k: 'text' | 'existing_answer') => values[k] ?? '');
}

/** The template without its placeholders: what the prompt costs before any text is added. */
export function templateOnly(template: string): string {
  return template.replace(/\{(text|existing_answer)\}/g, '');
}

export function checkPrompts(p: Prompts, mode: 'map-reduce' | 'refine'): void {
  const problems: Problem[] = [];
  const need = (field: string, template: string, placeholder: string) => {
    if (!template.includes(placeholder)) problems.push({ field, problem: `the prompt has no ${placeholder} placeholder`, fix: `Put ${placeholder} where the ${placeholder === '{text}' ? 'text' : 'current summary'} goes.` });
  };
  need('mapPrompt', p.map, '{text}');
  if (mode === 'map-reduce') need('combinePrompt', p.combine, '{text}');
  else {
    need('refinePrompt', p.refine, '{text}');
    need('refinePrompt', p.refine, '{existing_answer}');
  }
  if (problems.length) throw new AppError('VALIDATION_FAILED', `Invalid prompt: ${problems.map((x) => `${x.field}: ${x.problem}`).join('; ')}`, { problems });
}
