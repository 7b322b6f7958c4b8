/**
 * Local CSV manifests: absolute paths and paths relative to the manifest are packed (the bundled HAM10000 sample
 * under examples/images is the data); missing files are refused by row; inside an uploaded zip absolute and `..`
 * paths stay refused, with the reason.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { thrown } from '../../core/testing/errors.ts';
import { createTestApp, upload } from '../datasets/testing/harness.ts';
import { makeZip } from '../datasets/formats/zip-write.ts';
import { packImages } from './folder.ts';
import { resolveLocalManifest } from './localManifest.ts';
import { createCliSandbox } from '../../cli/testing.ts';

const HAM = resolve(import.meta.dirname, '../../../examples/images/ham10000');
const rows = readFileSync(join(HAM, 'images_manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const dir = mkdtempSync(join(tmpdir(), 'sb-local-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `path,lesion_id,dx` rows for N images of each label, with the path written by `how`. */
function manifest(labels: string[], n: number, how: (rel: string) => string): string {
  const pick = labels.flatMap((l) => rows.filter((r) => r[3] === l).slice(0, n));
  return `path,lesion_id,dx\n${pick.map((r) => `${how(r[0]!)},${r[2]},${r[3]}`).join('\n')}\n`;
}

describe('local image manifests', () => {
  it('packs absolute paths and paths relative to the manifest; the import keeps every row', async () => {
    // A copy of a few images beside the lists, named relative to each list (`../imgs/df/…`).
    for (const r of rows) {
      mkdirSync(join(dir, 'imgs', r[3]!), { recursive: true });
      copyFileSync(join(HAM, r[0]!), join(dir, 'imgs', r[0]!));
    }
    const sub = join(dir, 'lists');
    mkdirSync(sub, { recursive: true });
    const abs = join(sub, 'absolute.csv');
    writeFileSync(abs, manifest(['df', 'vasc'], 3, (p) => join(HAM, p)));
    const rel = join(sub, 'relative.csv');
    writeFileSync(rel, manifest(['df', 'vasc'], 3, (p) => `../imgs/${p}`));
    for (const file of [abs, rel]) {
      const packed = packImages(file);
      expect(packed.images).toBe(6);
      const t = await createTestApp();
      try {
        const res = await upload(t.app, 'm.zip', packed.zip, { name: 'm' });
        expect(res.statusCode, res.body).toBe(201);
        const body = JSON.parse(res.body);
        expect(body.version.rowCount).toBe(6);
        expect(body.version.stats.labels.map((l: { label: string }) => l.label).sort()).toEqual(['df', 'vasc']);
      } finally {
        await t.close();
      }
    }
  });

  it('files outside the manifest\'s folder keep their parent folder (the label when there is no label column)', () => {
    const m = resolveLocalManifest(join(dir, 'x.csv'), `path\n${join(HAM, rows[0]![0]!)}\n`, dir);
    expect(m.files).toEqual([{ name: `_files/1/${rows[0]![3]}/${rows[0]![1]}.jpg`, source: join(HAM, rows[0]![0]!) }]);
    expect(m.body).toBe(`path\n_files/1/${rows[0]![3]}/${rows[0]![1]}.jpg\n`);
  });

  it('refuses missing files and folders, naming each row and path', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `path,dx\n${join(HAM, rows[0]![0]!)},a\n/no/such/image.jpg,a\nnope/x.jpg,b\n${HAM},c\n`);
    const err = thrown(() => packImages(file));
    expect(err.code).toBe('IMAGE_MANIFEST_PATHS');
    expect(err.message).toMatch(/3 rows/);
    expect(err.problems?.map((p) => p.row)).toEqual([3, 4, 5]);
    expect(err.problems?.[0]?.problem).toContain('"/no/such/image.jpg" does not exist');
    expect(err.problems?.[1]?.problem).toContain(join(dir, 'nope/x.jpg'));
    expect(err.problems?.[2]?.problem).toMatch(/is a folder/);
  });

  it('inside an uploaded zip, absolute and ".." paths are refused with the reason', async () => {
    const jpg = readFileSync(join(HAM, rows[0]![0]!));
    const zip = makeZip([
      { name: 'm.csv', data: `path,dx\n/abs/a.jpg,x\nsub/../../b.jpg,y\n` },
      { name: 'a.jpg', data: jpg, method: 0 },
    ]);
    const t = await createTestApp();
    try {
      const res = await upload(t.app, 'z.zip', zip, { name: 'z' });
      expect(res.statusCode).toBe(400);
      const body = JSON.parse(res.body);
      expect(body.code).toBe('DATASET_EMPTY');
      expect(body.detail).toMatch(/absolute or "\.\." paths/);
    } finally {
      await t.close();
    }
  });
});

describe('sagebrush images train MANIFEST.csv', () => {
  const { dir: cliDir, cli, cleanup } = createCliSandbox('manifest');
  afterAll(cleanup);

  it('trains from a manifest of absolute paths; a missing file fails with IMAGE_MANIFEST_PATHS naming the row', async () => {
    const file = join(cliDir, 'skin.csv');
    writeFileSync(file, manifest(['akiec', 'df', 'vasc'], 6, (p) => join(HAM, p)));
    const r = await cli(['--json', 'images', 'train', file, '--group-column', 'lesion_id', '--label-column', 'dx']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).per_label).sort()).toEqual(['akiec', 'df', 'vasc']);

    writeFileSync(file, `${readFileSync(file, 'utf8')}/tmp/sagebrush-no-such-file.jpg,HAM_X,df\n`);
    const bad = await cli(['images', 'train', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('IMAGE_MANIFEST_PATHS');
    expect(bad.stderr).toContain('row 20: "/tmp/sagebrush-no-such-file.jpg" does not exist');
  }, 120_000);
});
