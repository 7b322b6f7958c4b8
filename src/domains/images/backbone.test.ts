import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../core/testing/errors.ts';
import { BUNDLED_BACKBONE, backboneCandidates, resolveBackbonePath, verifyBackbone } from './backbone.ts';

const dir = mkdtempSync(join(tmpdir(), 'sagebrush-backbone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('image backbone location', () => {
  it('uses the backbone shipped in the repository, not a folder beside the checkout', () => {
    const path = resolveBackbonePath({});
    expect(path).toBe(BUNDLED_BACKBONE);
    expect(path.replace(/\\/g, '/')).toMatch(/\/assets\/models\/mobilenetv2-12-int8\.onnx$/);
    expect(backboneCandidates({}).join(' ')).not.toMatch(/shared/);
  });

  it('the shipped file is a working MobileNetV2: 1×3×224×224 in, 1000 logits out', async () => {
    const session = await ort.InferenceSession.create(readFileSync(BUNDLED_BACKBONE));
    try {
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(3 * 224 * 224), [1, 3, 224, 224]) });
      expect(out[session.outputNames[0]!]!.dims).toEqual([1, 1000]);
    } finally {
      await session.release();
    }
  });

  it('SAGEBRUSH_IMAGE_BACKBONE overrides it (and is the user\'s own file, not checksummed)', () => {
    const own = join(dir, 'own.onnx');
    writeFileSync(own, 'not the zoo file');
    expect(resolveBackbonePath({ SAGEBRUSH_IMAGE_BACKBONE: own })).toBe(own);
  });

  it('a missing override is IMAGE_BACKBONE_MISSING naming the path', () => {
    const missing = join(dir, 'nope.onnx');
    expect(codeOf(() => resolveBackbonePath({ SAGEBRUSH_IMAGE_BACKBONE: missing }))).toBe('IMAGE_BACKBONE_MISSING');
    expect(() => resolveBackbonePath({ SAGEBRUSH_IMAGE_BACKBONE: missing })).toThrow(missing);
  });

  it('a file that is not the pinned one is IMAGE_BACKBONE_CHECKSUM', () => {
    const copy = join(dir, 'copy.onnx');
    copyFileSync(BUNDLED_BACKBONE, copy);
    verifyBackbone(copy);
    const damaged = join(dir, 'damaged.onnx');
    writeFileSync(damaged, readFileSync(BUNDLED_BACKBONE).subarray(0, 1000));
    expect(codeOf(() => verifyBackbone(damaged))).toBe('IMAGE_BACKBONE_CHECKSUM');
    const lfs = join(dir, 'lfs.onnx');
    writeFileSync(lfs, 'version https://git-lfs.github.com/spec/v1\noid sha256:cc028fe6\nsize 3655033\n');
    expect(() => verifyBackbone(lfs)).toThrow(/sha256/);
  });
});
