/**
 * SAGEBRUSH_API_TOKENS entries: `name:token` names the caller (the name is recorded as who approved a model version,
 * moved an alias, …); a plain `token` keeps working and is named `token-1`, `token-2`… by its position in the list.
 * A name is 1–64 letters, digits, ".", "_" or "-" starting with a letter; anything else before a colon is part of a
 * plain token.
 */
export interface ApiToken {
  name: string;
  token: string;
}

const NAMED = /^([A-Za-z][A-Za-z0-9._-]{0,63}):(.+)$/;

/** Who a request is when no tokens are configured (the API is open). */
export const ANONYMOUS = 'anonymous';

export function parseApiToken(entry: string, index: number): ApiToken {
  const m = NAMED.exec(entry);
  return m ? { name: m[1]!, token: m[2]! } : { name: `token-${index + 1}`, token: entry };
}

export function parseApiTokens(entries: readonly string[]): ApiToken[] {
  return entries.map(parseApiToken);
}
