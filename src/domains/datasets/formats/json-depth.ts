/**
 * Nesting depth of one JSON text, measured with a flat byte scan (no recursion, no parse) so a line such as
 * 100,000 `[` is refused before JSON.parse or JSON.stringify can overflow the stack. Brackets inside strings
 * do not count; a backslash skips the next byte. UTF-8 continuation bytes never equal these ASCII bytes.
 */

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
