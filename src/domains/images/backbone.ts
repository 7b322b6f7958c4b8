/**
 * Where the frozen ImageNet backbone lives: `SAGEBRUSH_IMAGE_BACKBONE`, else the shared data folder next to
 * the checkout (`../shared/data/onnx-models/mobilenetv2-12-int8.onnx`), else `/work/shared/data/…`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/errors.ts';

const FILE = join('onnx-models', 'mobilenetv2-12-int8.onnx');

export function backboneCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.SAGEBRUSH_IMAGE_BACKBONE,
    env.SAGEBRUSH_SHARED_DATA ? join(env.SAGEBRUSH_SHARED_DATA, FILE) : undefined,
    resolve(import.meta.dirname, '../../../../shared/data', FILE),
    join('/work/shared/data', FILE),
  ].filter((p): p is string => Boolean(p));
}

export function resolveBackbonePath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = backboneCandidates(env);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new AppError('IMAGE_BACKBONE_MISSING', `The image backbone (MobileNetV2 ONNX) was not found; looked in: ${candidates.join(', ')}.`, {
      problems: [{ field: 'SAGEBRUSH_IMAGE_BACKBONE', problem: 'no backbone file', fix: 'Set SAGEBRUSH_IMAGE_BACKBONE to the path of mobilenetv2-12-int8.onnx (see ../shared/data/onnx-models).' }],
    });
  }
  return found;
}
