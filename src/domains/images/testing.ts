/**
 * Test helpers for the images domain: the HAM10000 sample (170 images, label folders + images_manifest.csv with
 * lesion_id) packed as a zip, and an in-process app with it uploaded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from '../../ml/__reference__/sharedData.ts';
import { createTestApp, upload, type TestApp } from '../datasets/testing/harness.ts';
import { backboneCandidates } from './backbone.ts';
import { packImages } from './folder.ts';

export const HAM_DIR = join(SHARED_DATA, 'ham10000-sample');
export const HAS_HAM = existsSync(join(HAM_DIR, 'images_manifest.csv')) && backboneCandidates().some((p) => existsSync(p));
export const NO_HAM_MESSAGE = `HAM10000 sample or backbone not found under ${SHARED_DATA}: skipping image tests that need real data`;

let packed: Buffer | undefined;
export function hamZip(): Buffer {
  return (packed ??= packImages(HAM_DIR).zip);
}

/** An app with the HAM10000 sample uploaded as dataset "ham". */
export async function hamApp(): Promise<TestApp> {
  const t = await createTestApp();
  const res = await upload(t.app, 'ham.zip', hamZip(), { name: 'ham' });
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.body}`);
  return t;
}
