import type { SVGProps } from 'react';

/** Nav icon for Summarize: lines of text condensing into one. */
export function SummarizeIcon({ size = 18, ...rest }: SVGProps<SVGSVGElement> & { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...rest}>
      <path d="M4 5h16M4 9h16M4 13h10" />
      <path d="M16 15l3 3-3 3" />
      <path d="M4 19h14" />
    </svg>
  );
}
