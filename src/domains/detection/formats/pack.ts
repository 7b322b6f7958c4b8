/**
 * Packs a local detection folder into a zip for upload (the CLI's `detection import FOLDER`, embedded or --url alike,
 * so the server validates one way). Hidden files are skipped; a symbolic link is followed only when its target stays
 * inside the folder (DETECTION_PATH_UNSAFE otherwise, before anything is sent). Streamed to a temp file with yazl:
 * images are stored as they are, text files deflated.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { AppError } from '../../../core/errors.ts';
import { IMAGE_FILE } from './images.ts';

export interface PackedFolder { zipPath: string; fileName: string; files: number; cleanup(): Promise<void> }

export async function packDetectionFolder(dir: string): Promise<PackedFolder> {
  const root = await realpath(dir).catch(() => {
    throw new AppError('DETECTION_FORMAT_UNKNOWN', `${dir} does not exist.`, { problems: [{ field: 'folder', problem: 'not found', fix: 'Pass a folder with images/ plus labels.csv (or YOLO labels + dataset.yaml, or a COCO JSON), or a zip of one.' }] });
  });
  const zip = new yazl.ZipFile();
  let files = 0;
  const walk = async (abs: string, ref: string): Promise<void> => {
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
      const childRef = ref ? `${ref}/${e.name}` : e.name;
      let target = join(abs, e.name);
      if (e.isSymbolicLink()) {
        target = await realpath(target).catch(() => '');
        if (!target) continue;
        const rel = relative(root, target);
        if (rel.startsWith(`..${sep}`) || rel === '..' || rel.startsWith(sep)) {
          throw new AppError('DETECTION_PATH_UNSAFE', `${childRef} is a symbolic link to ${target}, outside the folder. Nothing was sent.`, { problems: [{ field: childRef, problem: 'symbolic link outside the folder', fix: 'Copy the file into the folder instead of linking to it.' }] });
        }
      }
      const s = await stat(target);
      if (s.isDirectory()) await walk(target, childRef);
      else if (s.isFile()) {
        zip.addFile(target, childRef, { compress: !IMAGE_FILE.test(e.name) });
        files++;
      }
    }
  };
  await walk(root, '');
  zip.end();
  const tmp = await mkdtemp(join(tmpdir(), 'sagebrush-pack-'));
  const name = basename(root) || 'detection';
  const zipPath = join(tmp, `${name}.zip`);
  await pipeline(zip.outputStream, createWriteStream(zipPath));
  return { zipPath, fileName: `${name}.zip`, files, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}
