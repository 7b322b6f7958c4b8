/**
 * Training right after an import reads the records the import parsed (datasets parse cache) instead of parsing the
 * file again: the documents must be exactly what parseLabeledText gives for the same file.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, upload, type TestApp } from '../datasets/testing/harness.ts';
import type { TextDeps } from './deps.ts';
import { parseLabeledText, type ParseOptions } from './formats.ts';
import { comprehendFromRecords, loadLabeledDocs } from './load.ts';

const strictRecords = (text: string): string[][] =>
  parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, relax_quotes: false, skip_empty_lines: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];

const COMPREHEND = [
  'toxic|insult,"you are, ""quoted"""\nclean,plain text\r\nclean,"multi\nline"\n\nthreat,unquoted, commas, rejoined\n',
  '\uFEFFa;b,x\rlonely\rc,"d\r\ne"\r\n',
  'x,\n,y\n',
];

describe('comprehendFromRecords', () => {
  const cases: ParseOptions[] = [
    { mode: 'multi-label' },
    { mode: 'multi-class' },
    { mode: 'multi-label', delimiter: ';', format: 'comprehend-csv' },
  ];
  for (const [i, text] of COMPREHEND.entries()) {
    for (const options of cases) {
      it(`file ${i}, ${JSON.stringify(options)}: the same documents and problems as parseLabeledText`, () => {
        expect(comprehendFromRecords(text, strictRecords(text), options)).toEqual(parseLabeledText(text, options));
      });
    }
  }

  it('leaves other formats to parseLabeledText', () => {
    const wide = 'id,comment_text,toxic\n1,hi,0\n2,bye,1\n';
    expect(comprehendFromRecords(wide, strictRecords(wide), { mode: 'multi-label' })).toBeUndefined();
    expect(comprehendFromRecords(COMPREHEND[0]!, strictRecords(COMPREHEND[0]!), { mode: 'multi-label', format: 'wide-csv' })).toBeUndefined();
  });
});

describe('loadLabeledDocs after an import in the same process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('uses the import\'s records and gives the documents a fresh parse gives', async () => {
    const text = 'toxic|insult,"you are, ""quoted"""\nclean,plain text\r\nclean,"multi\nline"\n';
    const res = await upload(t.app, 'train.csv', text, { header: 'false' });
    expect(res.statusCode, res.body).toBe(201);
    const datasets = t.ctx.services.datasets;
    const spy = vi.spyOn(datasets, 'csvRecords');
    const loaded = await loadLabeledDocs({ datasets } as unknown as TextDeps, { dataset: 'train', mode: 'multi-label', delimiter: '|', format: 'auto' });
    expect(spy).toHaveReturnedWith(strictRecords(text));
    const fresh = parseLabeledText(text, { mode: 'multi-label', delimiter: '|' });
    expect({ docs: loaded.docs, problems: loaded.problems, format: loaded.format }).toEqual(fresh);
    spy.mockRestore();
  });

  it('reads only the head of a file whose records it has (format detection), with the same documents', async () => {
    // ~600 KB with multi-byte characters, a quoted newline and a comma in the text: past the bytes detection needs
    const rows = Array.from({ length: 6000 }, (_, i) => `${i % 3 ? 'clean' : 'toxic|insult'},"é€ comment ${i}, with ""quotes"" and\na newline ${'ü'.repeat(30)}"`);
    const text = `${rows.join('\n')}\n`;
    const res = await upload(t.app, 'big.csv', text, { header: 'false' });
    expect(res.statusCode, res.body).toBe(201);
    const datasets = t.ctx.services.datasets;
    let bytesRead = 0;
    const openFile = datasets.openFile.bind(datasets);
    const counting = {
      ...datasets,
      csvRecords: datasets.csvRecords.bind(datasets),
      getVersion: datasets.getVersion.bind(datasets),
      async openFile(...args: Parameters<typeof openFile>) {
        const file = await openFile(...args);
        const stream = file.stream as AsyncIterable<Uint8Array> & { destroy?: () => void };
        return { ...file, stream: (async function* () {
          try {
            for await (const c of stream) {
              bytesRead += c.length;
              yield c;
            }
          } finally {
            stream.destroy?.();
          }
        })() };
      },
    };
    const loaded = await loadLabeledDocs({ datasets: counting } as unknown as TextDeps, { dataset: 'big', mode: 'multi-label', delimiter: '|', format: 'auto' });
    expect({ docs: loaded.docs, problems: loaded.problems, format: loaded.format }).toEqual(parseLabeledText(text, { mode: 'multi-label', delimiter: '|' }));
    expect(loaded.docs).toHaveLength(6000);
    expect(bytesRead).toBeLessThan(Buffer.byteLength(text) / 2);
  });
});

