/**
 * `sagebrush detection import|export|datasets` — detection datasets (D1's part of the `detection` command, which
 * src/cli/detection.ts creates): import a folder laid out like the metal-tags sample (packed into a zip and
 * uploaded, so embedded and --url runs validate the same way) or a zip; export the training set (latest APPROVED
 * label per image) as a zip in Ground Truth / YOLO / COCO; list datasets.
 */
import { statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';

const BASE = '/api/v1/detection/datasets';
const FORMATS = ['groundtruth', 'yolo', 'coco'];

interface ImportSummary { name: string; classes: string[]; images: number; labeled: number; unlabeled: number; boxes: number; layout: string }
interface DatasetSummary { name: string; classes: string[]; images: number; createdAt: string }

export function addDetectionDataCommands(detection: Command): void {
  detection
    .command('import <source>')
    .description('Import a detection dataset: a folder (images/ + labels.csv, a Ground Truth manifest, YOLO labels + dataset.yaml or a COCO JSON) or a zip of one')
    .option('--name <name>', 'dataset name (default: the folder or zip name)')
    .action(async (source: string, o: { name?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const isDir = statSync(source, { throwIfNoEntry: false })?.isDirectory();
        if (isDir === undefined) throw new CliError('FILE_NOT_FOUND', `${source} does not exist.`, 1);
        // A folder is packed into a temp zip (pack.ts is loaded only then); a zip is sent as it is.
        const packed = isDir ? await (await import('../domains/detection/formats/pack.ts')).packDetectionFolder(source) : undefined;
        try {
          const fields = o.name ? [{ name: 'name', value: o.name }] : packed ? [{ name: 'name', value: packed.fileName.replace(/\.zip$/, '') }] : [];
          const res = expectOk<ImportSummary>(await t.upload(BASE, packed?.zipPath ?? source, fields));
          if (g.json) return printJson(res);
          process.stdout.write(`Imported ${res.name} (${res.layout}): ${res.images} images, ${res.labeled} labeled with ${res.boxes} boxes, ${res.unlabeled} unlabeled; classes ${res.classes.join(', ') || '(none)'}\n`);
          return undefined;
        } finally {
          await packed?.cleanup();
        }
      }),
    );

  detection
    .command('export <name>')
    .description('Export the training set (latest APPROVED label per image) as a zip of images + labels')
    .requiredOption('--format <format>', `label format: ${FORMATS.join(' | ')}`)
    .requiredOption('--out <file>', 'the zip file to write')
    .action(async (name: string, o: { format: string; out: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        if (!FORMATS.includes(o.format)) throw new CliError('VALIDATION_FAILED', `--format ${o.format} is not one of ${FORMATS.join(', ')}.`, 1, [{ field: 'format', problem: `"${o.format}" is not a format`, fix: `Use ${FORMATS.join(', ')}.` }]);
        const res = await t.request('GET', `${BASE}/${encodeURIComponent(name)}/export?format=${o.format}`);
        if (res.status !== 200) expectOk(res);
        writeFileSync(o.out, res.body);
        if (g.json) return printJson({ name, format: o.format, out: o.out, bytes: res.body.length });
        process.stdout.write(`Wrote ${o.out} (${res.body.length} bytes, ${o.format}).\n`);
        return undefined;
      }),
    );

  detection
    .command('datasets')
    .description('List detection datasets')
    .action(async (_o: unknown, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const { items } = expectOk<{ items: DatasetSummary[] }>(await t.request('GET', BASE));
        if (g.json) return printJson(items);
        printTable(['name', 'images', 'classes', 'created'], items.map((d) => [d.name, d.images, d.classes.join(', '), d.createdAt]));
        return undefined;
      }),
    );
}
