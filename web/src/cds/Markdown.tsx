/**
 * A small Markdown renderer for CDS card details and rule test results (CDS Hooks: `detail` is GitHub-flavoured
 * Markdown): paragraphs, `#` headings, `-`/`*`/`1.` lists, **bold**, *italic*, `code` and [links](https://…).
 * It builds React elements (never innerHTML), so a card cannot inject markup; links other than http(s) stay text.
 */
import type { ReactNode } from 'react';
import { Anchor, Code, List, Text, Title } from '@mantine/core';

const INLINE = /(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string, key: string): ReactNode[] {
  return text.split(INLINE).map((part, i) => {
    const k = `${key}-${i}`;
    if (/^(\*\*|__).+(\*\*|__)$/.test(part)) return <strong key={k}>{inline(part.slice(2, -2), k)}</strong>;
    if (/^\*.+\*$/.test(part)) return <em key={k}>{part.slice(1, -1)}</em>;
    if (/^`.+`$/.test(part)) return <Code key={k}>{part.slice(1, -1)}</Code>;
    const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
    if (link) return /^https?:\/\//i.test(link[2]!) ? <Anchor key={k} href={link[2]} target="_blank" rel="noreferrer" inherit>{link[1]}</Anchor> : link[1];
    return part;
  });
}

type Block = { kind: 'p'; text: string } | { kind: 'h'; level: number; text: string } | { kind: 'ul'; items: string[] } | { kind: 'ol'; items: string[] };

function blocks(md: string): Block[] {
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ kind: 'p', text: para.join(' ') });
    para = [];
  };
  for (const raw of md.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
    const last = out[out.length - 1];
    if (!line) flush();
    else if (heading) {
      flush();
      out.push({ kind: 'h', level: heading[1]!.length, text: heading[2]! });
    } else if (bullet || numbered) {
      flush();
      const kind = bullet ? 'ul' : 'ol';
      const item = (bullet ?? numbered)![1]!;
      if (last && last.kind === kind && !para.length) last.items.push(item);
      else out.push({ kind, items: [item] });
    } else para.push(line);
  }
  flush();
  return out;
}

export function Markdown({ children, size = 'sm', 'data-testid': testId }: { children: string; size?: 'xs' | 'sm' | 'md'; 'data-testid'?: string }) {
  return (
    <div data-testid={testId} className="sb-markdown" style={{ overflowWrap: 'anywhere' }}>
      {blocks(children).map((b, i) => {
        const k = `b${i}`;
        if (b.kind === 'h') return <Title key={k} order={Math.min(6, b.level + 3) as 4 | 5 | 6} mt={4} mb={4}>{inline(b.text, k)}</Title>;
        if (b.kind === 'p') return <Text key={k} size={size} mb={6}>{inline(b.text, k)}</Text>;
        return (
          <List key={k} size={size} type={b.kind === 'ol' ? 'ordered' : 'unordered'} mb={6} withPadding>
            {b.items.map((item, j) => <List.Item key={j}>{inline(item, `${k}-${j}`)}</List.Item>)}
          </List>
        );
      })}
    </div>
  );
}
