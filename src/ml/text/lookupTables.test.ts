import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { TextClassifierModel } from './classifier.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';
import { resolveTextClassifierOptions } from './options.ts';
import { LOOKUP_VERSION } from './lookupTables.ts';
import { NgramHashTable } from './hashTable.ts';
import { packSections, unpackSections } from '../serialize.ts';
import { mulberry32 } from '../split/prng.ts';

// real data: the bundled jigsaw sample; the model is built from fitted vectorizers and seeded weights, so these
// tests do not depend on how training chooses its weights
const rows = parse(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url)), { relax_column_count: true }) as string[][];
const texts = rows.map((r) => r[1]!);
const base = { minDf: 2, maxFeatures: null, lowercase: true, sublinearTf: true };
const configs: VectorizerConfig[] = [{ ...base, analyzer: 'word', ngramRange: [1, 2] }, { ...base, analyzer: 'char_wb', ngramRange: [2, 5] }];

function model(): TextClassifierModel {
  const vectorizers = configs.map((c) => TfidfVectorizer.fitTransform(texts.slice(0, 800), c).vectorizer);
  const nFeatures = vectorizers.reduce((s, v) => s + v.nFeatures, 0), L = 3, rand = mulberry32(5);
  const weights = Float32Array.from({ length: (nFeatures + 1) * L }, () => rand.next() * 4 - 2);
  const info = { epochs: 1, converged: false, maxViolation: 0, nDocuments: 800, nWordFeatures: vectorizers[0]!.nFeatures, nCharFeatures: vectorizers[1]!.nFeatures };
  return new TextClassifierModel('multi-label', ['a', 'b', 'c'], resolveTextClassifierOptions({}), vectorizers, { nFeatures, nLabels: L, weights, interceptScaling: 1 }, info);
}

/** The same file with the lookup part of the header and sections left out (a file written before they existed), or altered. */
function rewrite(file: Uint8Array, change: (header: Record<string, unknown>, sections: Record<string, Uint8Array>) => void): Buffer {
  const { header, section } = unpackSections(file);
  const names = Object.keys(header.sections as object);
  const sections = Object.fromEntries(names.map((n) => [n, section(n)]));
  const h = { ...header };
  delete h.sections;
  delete h.littleEndian;
  change(h, sections);
  return packSections(h, sections);
}

const withoutLookup = (file: Uint8Array) => rewrite(file, (h, s) => { delete h.lookup; delete s.lookup0; delete s.lookup1; });
const held = texts.slice(800);

describe('stored n-gram lookup tables (model file)', () => {
  const m = model(), file = m.serialize(), expected = m.predict(held);

  it('a model file carries its tables with a version, and loads them as they are (read-only, no rebuild) with the same scores', () => {
    const { header } = unpackSections(file);
    expect((header.lookup as { version: number }).version).toBe(LOOKUP_VERSION);
    const restored = TextClassifierModel.deserialize(file);
    expect(restored.predict(held)).toEqual(expected);
    // a stored table is used as is: it was not rebuilt by inserting the terms, so it refuses inserts
    expect(() => restored.vectorizers[1]!.lookupTable.add(1, 2)).toThrow(/read-only/);
  });

  it('older files (no tables) and tables of another version still load, by rehashing the terms, with the same scores', () => {
    for (const older of [withoutLookup(file), rewrite(file, (h) => { h.lookup = { ...(h.lookup as object), version: LOOKUP_VERSION + 1 }; })]) {
      const restored = TextClassifierModel.deserialize(older);
      expect(restored.predict(held)).toEqual(expected);
      // saving it again writes the tables (of the rebuilt shape, which may differ from the fit's)
      const again = restored.serialize(), lookup = unpackSections(again).header.lookup as { version: number; blocks: { size: number }[] };
      expect(lookup.version).toBe(LOOKUP_VERSION);
      expect(lookup.blocks.map((b) => b.size)).toEqual(m.vectorizers.map((v) => v.nFeatures));
      expect(TextClassifierModel.deserialize(again).predict(held)).toEqual(expected);
      // a table rebuilt from the terms is an ordinary one (it accepts inserts)
      expect(() => TextClassifierModel.deserialize(older).vectorizers[0]!.lookupTable.add(1, 2)).not.toThrow();
    }
  });

  it('refuses a damaged table instead of looking columns up in it', () => {
    const outOfRange = rewrite(file, (_h, s) => {
      const t = new Int32Array(s.lookup1!.slice().buffer);
      const o = t.findIndex((v, i) => i % 4 === 2 && v !== 0);
      t[o] = 1 << 30;
      s.lookup1 = new Uint8Array(t.buffer);
    });
    expect(() => TextClassifierModel.deserialize(outOfRange)).toThrow(/lookup table: a slot holds an id out of range/);
    const wrongSize = rewrite(file, (h) => {
      const l = h.lookup as { blocks: { size: number }[] };
      l.blocks[0]!.size += 1;
    });
    expect(() => TextClassifierModel.deserialize(wrongSize)).toThrow(/block 0's lookup table holds/);
    const truncated = rewrite(file, (_h, s) => { s.lookup0 = s.lookup0!.subarray(0, 256); });
    expect(() => TextClassifierModel.deserialize(truncated)).toThrow(/lookup table/);
  });

  it('with views, the loaded arrays share the (shared) file bytes instead of copying them', () => {
    const sab = new SharedArrayBuffer(file.byteLength);
    new Uint8Array(sab).set(file);
    const shared = TextClassifierModel.deserialize(new Uint8Array(sab), true);
    expect(shared.vectorizers[0]!.idf.buffer).toBe(sab);
    expect(shared.linear.weights.buffer).toBe(sab);
    expect(shared.predict(held)).toEqual(expected);
    expect(TextClassifierModel.deserialize(file).vectorizers[0]!.idf.buffer).not.toBe(file.buffer);
  });
});

describe('a second load of checked bytes (a scoring thread loading the shared model file)', () => {
  const m = model(), file = m.serialize(), expected = m.predict(held);

  it('reuses the first load\'s key filters (shared memory, no second scan of the tables) and scores the same', () => {
    const sab = new SharedArrayBuffer(file.byteLength);
    new Uint8Array(sab).set(file);
    const first = TextClassifierModel.deserialize(new Uint8Array(sab), true), filters = first.lookupFilters();
    expect(filters.every((f) => f !== null && f.buffer instanceof SharedArrayBuffer)).toBe(true);
    const second = TextClassifierModel.deserialize(new Uint8Array(sab), true, { filters });
    second.lookupFilters().forEach((f, k) => expect(f).toBe(filters[k]));
    expect(second.predict(held)).toEqual(expected);
    // what `checked` means: the tables are not scanned again — a load of these bytes with the filters relies on the
    // first load's check (the same damage is refused by any load without them)
    const damaged = rewrite(file, (_h, s) => {
      const t = new Int32Array(s.lookup1!.slice().buffer);
      t[t.findIndex((v, i) => i % 4 === 2 && v !== 0)] = 1 << 30;
      s.lookup1 = new Uint8Array(t.buffer);
    });
    expect(() => TextClassifierModel.deserialize(damaged, true)).toThrow(/out of range/);
    expect(() => TextClassifierModel.deserialize(damaged, true, { filters })).not.toThrow();
    // filters of another shape (another model's) are not taken: the tables are checked as usual
    expect(() => TextClassifierModel.deserialize(damaged, true, { filters: [new Int32Array(8), new Int32Array(8)] })).toThrow(/out of range/);
  });
});

describe('restored tables\' key filter', () => {
  it('never rejects a key the table holds, and answers -1 for the keys it does not hold, as the fitted table does', () => {
    for (const c of configs) {
      const fitted = TfidfVectorizer.fitTransform(texts, c).vectorizer.lookupTable;
      const { hot, cold, hotCap, size } = fitted.slots();
      const restored = NgramHashTable.fromSlots(hot, cold, hotCap, size);
      const ids = new Int32Array(size);
      restored.getMany(fitted.keys1, fitted.keys2, size, ids);
      expect(Array.from(ids)).toEqual(Array.from({ length: size }, (_, i) => i));
      // made-up keys: the same answer as the fitted table's (almost all -1)
      const rand = mulberry32(9), n = 20000, k1 = new Int32Array(n), k2 = new Int32Array(n), got = new Int32Array(n);
      for (let i = 0; i < n; i++) { k1[i] = (rand.next() * 2 ** 32) | 0; k2[i] = (rand.next() * 2 ** 32) | 0; }
      restored.getMany(k1, k2, n, got);
      expect(Array.from(got)).toEqual(Array.from(k1, (a, i) => fitted.get(a, k2[i]!)));
    }
  });
});
