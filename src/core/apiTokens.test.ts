/** Named API tokens (issue 14): `name:token` entries name the caller; plain tokens keep working as `token-N`. */
import { describe, expect, it } from 'vitest';
import { parseApiTokens } from './apiTokens.ts';
import { loadConfig } from './config.ts';

describe('SAGEBRUSH_API_TOKENS entries', () => {
  it('names each token: name:token, or token-N by position for a plain one', () => {
    expect(parseApiTokens(['alice:alice-token-0123456789abcdef', 'plain-token-0123456789abcdef', '1abc:0123456789abcdef0'])).toEqual([
      { name: 'alice', token: 'alice-token-0123456789abcdef' },
      { name: 'token-2', token: 'plain-token-0123456789abcdef' },
      // A name starts with a letter: this whole entry is a plain token.
      { name: 'token-3', token: '1abc:0123456789abcdef0' },
    ]);
  });

  it('requires 16 characters in the token part, not counting the name', () => {
    const env = { SAGEBRUSH_API_TOKENS: 'alice:short-but-long-name-prefix,bob:tooshort' };
    expect(() => loadConfig({ env, overrides: { dataDir: '/tmp/sb-unused' } })).toThrow(/apiTokens\.1 \(SAGEBRUSH_API_TOKENS\): each token must be at least 16 characters/);
    expect(loadConfig({ env: { SAGEBRUSH_API_TOKENS: 'bob:bob-token-0123456789ab' }, overrides: { dataDir: '/tmp/sb-unused' } }).apiTokens).toEqual(['bob:bob-token-0123456789ab']);
  });
});
