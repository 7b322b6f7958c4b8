import { describe, expect, it } from 'vitest';
import { thrown } from '../../core/testing/errors.ts';
import { markdownToText, readDocuments } from './input.ts';

describe('summarization input', () => {
  it('reads plain text (and text extracted from a PDF) as one document named after the file', () => {
    expect(readDocuments(Buffer.from('\uFEFFHello.\r\nWorld.'), 'paper.pdf.txt')).toEqual({ format: 'text', documents: [{ id: 'paper.pdf', text: 'Hello.\nWorld.' }] });
  });

  it('reads Markdown, keeping headings and dropping markup', () => {
    const md = '# Title\n\nSome **bold** and _em_ text with a [link](http://x).\n\n```js\ncode()\n```\n\n- item one\n- item two\n\n## Methods\nDone.';
    const { format, documents } = readDocuments(Buffer.from(md), 'notes.md');
    expect(format).toBe('markdown');
    expect(documents[0]!.text).toBe(markdownToText(md));
    expect(documents[0]!.text).toContain('# Title');
    expect(documents[0]!.text).toContain('Some bold and em text with a link.');
    expect(documents[0]!.text).not.toContain('code()');
    expect(documents[0]!.text).toContain('item one\nitem two');
  });

  it('reads JSON Lines of {"id","text"} (also detected by content in a .txt)', () => {
    const jsonl = '{"id":"a","text":"First doc."}\n\n{"id":7,"text":"Second doc."}\n{"text":"No id."}\n';
    expect(readDocuments(Buffer.from(jsonl), 'docs.jsonl').documents).toEqual([{ id: 'a', text: 'First doc.' }, { id: '7', text: 'Second doc.' }, { id: '4', text: 'No id.' }]);
    expect(readDocuments(Buffer.from(jsonl), 'docs.txt').format).toBe('jsonl');
  });

  it('names the line and the fix for bad JSON Lines', () => {
    const e = thrown(() => readDocuments(Buffer.from('{"id":"a","text":"ok"}\n{"id":"b"}\nnot json\n{"id":"a","text":"dup"}\n'), 'd.jsonl'));
    expect(e.code).toBe('JSONL_MALFORMED');
    expect(e.problems?.map((p) => [p.row, p.field])).toEqual([[2, 'text'], [3, undefined], [4, 'id']]);
    expect(e.problems?.[0]?.fix).toMatch(/"text" field/);
  });

  it('refuses empty, binary, PDF and non-UTF-8 input with a clear code', () => {
    expect(thrown(() => readDocuments(Buffer.alloc(0), 'a.txt')).code).toBe('FILE_EMPTY');
    expect(thrown(() => readDocuments(Buffer.from('   \n  '), 'a.txt')).code).toBe('FILE_EMPTY');
    const pdf = thrown(() => readDocuments(Buffer.from('%PDF-1.7\n...'), 'paper.pdf'));
    expect(pdf.code).toBe('FILE_BINARY');
    expect(pdf.problems?.[0]?.fix).toMatch(/pdftotext/);
    expect(thrown(() => readDocuments(Buffer.from([0x61, 0, 0x62]), 'a.txt')).code).toBe('FILE_BINARY');
    expect(thrown(() => readDocuments(Buffer.from([0x61, 0xff, 0xfe, 0x62]), 'a.txt')).code).toBe('FILE_ENCODING');
    expect(thrown(() => readDocuments(Buffer.from('x'), 'a.docx')).code).toBe('FILE_FORMAT_UNKNOWN');
  });
});
