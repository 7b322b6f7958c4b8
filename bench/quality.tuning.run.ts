/** Runs the tuning ablation of quality.tuning.ts alone (train part only): npx tsx bench/quality.tuning.run.ts jigsaw|goemotions */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDatasets } from './text.data.ts';
import { tuningAblation, tuningAblationMarkdown } from './quality.tuning.ts';
import { REPO_ROOT } from './text.peers.ts';

const which = process.argv[2] ?? 'jigsaw';
const { datasets } = prepareDatasets(join(REPO_ROOT, '..', 'shared', 'data'), mkdtempSync(join(tmpdir(), 'sb-qt-')), false);
const ds = datasets.find((d) => d.key === which);
if (!ds) throw new Error(`no data set ${which}`);
void tuningAblation(ds.trainFile, (m) => console.error(m)).then((t) => console.log(tuningAblationMarkdown(ds.title, t).join('\n')));
