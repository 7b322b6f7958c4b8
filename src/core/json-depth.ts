/**
 * Nesting depth of one JSON text, measured with a flat byte scan (no recursion, no parse) so a text such as
 * 100,000 `[` is refused before JSON.parse — or whatever walks the parsed value afterwards (validation,
 * JSON.stringify, FHIR validators) — can overflow the stack. Brackets inside strings do not count; a backslash
 * skips the next byte. UTF-8 continuation bytes never equal these ASCII bytes. Used by JSON Lines imports and
 * by every JSON request-body parser.
 */
import { AppError, type ErrorCode } from './errors.ts';

/**
 * Deepest nesting accepted in an API request body. Real bodies stay far below it: the shipped ELM libraries
 * nest at most 23 levels and Synthea Bundles 11, but ELM of long `and`/`or`/`if` chains grows about two
 * levels per operator, hence the headroom.
 */
export const API_JSON_MAX_DEPTH = 256;

/** Deepest nesting accepted in a FHIR REST body (/fhir/R4): Synthea Bundles nest 11 levels, deep Questionnaires ~40. */
export const FHIR_JSON_MAX_DEPTH = 128;

/** Offset (from `start`) of the bracket that first goes deeper than `limit`, or -1 when the text stays within it. */
export function depthExceededAt(buf: Buffer, start: number, end: number, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > limit) return i - start;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return -1;
}

/**
 * The error for a request body that nests deeper than `limit` (`at`: byte offset of the first bracket too deep),
 * or undefined when it stays within the limit. `code` lets the FHIR routes answer with their own code.
 */
export function jsonBodyTooDeep(body: Buffer, limit: number, code: ErrorCode = 'JSON_TOO_DEEP'): AppError | undefined {
  const at = depthExceededAt(body, 0, body.length, limit);
  if (at < 0) return undefined;
  const problem = `the JSON body nests arrays/objects more than ${limit} levels deep (level ${limit + 1} opens at byte ${at})`;
  return new AppError(code, `The request is refused: ${problem}.`, {
    problems: [{ field: 'body', problem, fix: `Send at most ${limit} levels of nesting; no API field needs more.` }],
    extra: { maxDepth: limit },
  });
}
