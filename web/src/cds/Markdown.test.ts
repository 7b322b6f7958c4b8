/**
 * Card details come from CDS services and CQL libraries, i.e. from outside: the renderer must never turn them into
 * markup or script (it builds React elements; only http(s) links become anchors).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MantineProvider } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.tsx';

const render = (md: string) => renderToStaticMarkup(createElement(MantineProvider, null, createElement(Markdown, { children: md })));

describe('Markdown (card details)', () => {
  it('renders bold, lists and https links', () => {
    const html = render('**Prior authorization** is required.\n\n- one\n- two\n\n[policy](https://payer.example/policy)');
    expect(html).toContain('<strong>Prior authorization</strong>');
    expect(html.match(/<li/g)).toHaveLength(2);
    expect(html).toMatch(/<a [^>]*href="https:\/\/payer\.example\/policy"[^>]*rel="noreferrer"/);
  });

  it('never emits markup, scripts or javascript: links from the text', () => {
    const html = render('<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [data](data:text/html,<b>x</b>) **<iframe src="https://evil">**');
    expect(html).not.toMatch(/<script|<img|<iframe/i);
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('click'); // the link text stays, as plain text
  });
});
