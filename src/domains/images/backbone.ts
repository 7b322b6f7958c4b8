/**
 * Where the frozen ImageNet backbone lives: `SAGEBRUSH_IMAGE_BACKBONE` when set (the user's own file, used as
 * is), else the MobileNetV2 int8 file shipped with the product in `assets/models/` (provenance, licence and
 * checksum in assets/models/README.md). The shipped file is checked against its pinned sha256 once per process,
 * so a truncated or replaced file is a clear error instead of silently different embeddings.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../core/errors.ts';

/** The backbone shipped in the repository (and in the npm package). */
export const BUNDLED_BACKBONE = resolve(import.meta.dirname, '../../../assets/models/mobilenetv2-12-int8.onnx');
/** sha256 of the ONNX Model Zoo `mobilenetv2-12-int8.onnx` (3,655,033 bytes); see assets/models/README.md. */
export const BUNDLED_BACKBONE_SHA256 = 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f';

const verified = new Set<string>();

/** The path that will be used, first: the override, else the bundled file. */
export function backboneCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.SAGEBRUSH_IMAGE_BACKBONE ? [env.SAGEBRUSH_IMAGE_BACKBONE] : [BUNDLED_BACKBONE];
}

/** Throws IMAGE_BACKBONE_CHECKSUM when the file's sha256 is not the pinned one (memoised per path). */
export function verifyBackbone(path: string, expected: string = BUNDLED_BACKBONE_SHA256): void {
  if (verified.has(path)) return;
  const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (actual !== expected) {
    throw new AppError('IMAGE_BACKBONE_CHECKSUM', `The image backbone ${path} has sha256 ${actual}, not the pinned ${expected}; the file is damaged or was replaced.`, {
      problems: [{ field: 'SAGEBRUSH_IMAGE_BACKBONE', problem: 'backbone checksum mismatch', fix: 'Restore assets/models/mobilenetv2-12-int8.onnx from the repository (git checkout -- assets/models), or set SAGEBRUSH_IMAGE_BACKBONE to your own backbone file.' }],
    });
  }
  verified.add(path);
}

export function resolveBackbonePath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SAGEBRUSH_IMAGE_BACKBONE;
  const path = override || BUNDLED_BACKBONE;
  if (!existsSync(path)) {
    throw new AppError('IMAGE_BACKBONE_MISSING', `The image backbone (MobileNetV2 ONNX) was not found at ${path}${override ? ' (SAGEBRUSH_IMAGE_BACKBONE)' : ''}.`, {
      problems: [{
        field: 'SAGEBRUSH_IMAGE_BACKBONE',
        problem: 'no backbone file',
        fix: override ? 'Point SAGEBRUSH_IMAGE_BACKBONE at an existing ONNX file, or unset it to use the bundled backbone.' : 'Restore assets/models/mobilenetv2-12-int8.onnx from the repository, or set SAGEBRUSH_IMAGE_BACKBONE to a backbone file.',
      }],
    });
  }
  if (!override) verifyBackbone(path);
  return path;
}
