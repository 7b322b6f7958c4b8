/** Score rows for the output-line tests: exact ties, ties after rounding to 4 decimals, 0, 1, values near 0.5. */
export const TIE_ROWS: readonly number[][] = [
  [0.5, 0.5, 0.49999, 0.50004, 0.1, 0.9, 0],
  [0.12344, 0.12341, 0.12346, 1, 0.99996, 0.00004, 0.3],
  [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2],
  [0.7071, 0.0001, 0.00005, 0.33333, 0.66667, 0.5, 0.25],
];
/** Label names that JSON must escape (quotes, backslashes, non-ASCII, an emoji). */
export const ESCAPED_LABELS: readonly string[] = ['toxic', 'severe "toxic"', 'obscène', 'threat\\n', 'insult', 'identity_hate', 'clean 😀'];
