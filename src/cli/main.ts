/**
 * `sagebrush` — one CLI for the server, the worker and every domain. Commands talk to a running
 * server with --url, or work directly on the embedded store of --data-dir.
 * Exit codes: 0 ok, 1 user error (the message says what to fix), 2 internal error.
 */
import { Command, CommanderError } from 'commander';
import { registerDatasetCommands } from './datasets.ts';
import { registerFhirCommands } from './fhir.ts';
import { registerCdsCommands } from './cds.ts';
import { registerRuleCommands } from './rules.ts';
import { registerJobCommands } from './jobs.ts';
import { registerLlmCommands } from './llm.ts';
import { registerModelCommands } from './models.ts';
import { printError, toCliError } from './output.ts';
import { registerServerCommands } from './server.ts';
import { registerSummarizeCommands } from './summarize.ts';
import { registerTextCommands } from './text.ts';
import { registerImageCommands } from './images.ts';
import { registerFeatureCommands } from './features.ts';
import { registerWebhookCommands } from './webhooks.ts';
import { registerPipelineCommands } from './pipelines.ts';
import { registerFinetuneCommands } from './finetune.ts';
import { registerLabelingCommands } from './labeling.ts';
import { registerDetectionCommands } from './detection.ts';
import { registerEdgeCommands } from './edge.ts';

export function buildProgram(): Command {
  const program = new Command('sagebrush')
    .description('Sagebrush — a self-hosted machine-learning studio')
    .version('0.1.0')
    .option('--url <url>', 'talk to a running server (SAGEBRUSH_URL); default: work on the embedded store directly')
    .option('--token <token>', 'bearer token for --url (SAGEBRUSH_TOKEN)')
    .option('--data-dir <dir>', 'data directory of the embedded store (SAGEBRUSH_DATA_DIR, default ./.sagebrush)')
    .option('--json', 'print machine-readable JSON on stdout')
    .showHelpAfterError()
    .exitOverride();
  registerServerCommands(program);
  registerDatasetCommands(program);
  registerJobCommands(program);
  registerTextCommands(program);
  registerModelCommands(program);
  registerLlmCommands(program);
  registerSummarizeCommands(program);
  registerFhirCommands(program);
  registerImageCommands(program);
  registerCdsCommands(program);
  registerRuleCommands(program);
  registerFeatureCommands(program);
  registerWebhookCommands(program);
  registerPipelineCommands(program);
  registerFinetuneCommands(program);
  registerDetectionCommands(program);
  registerEdgeCommands(program);
  registerLabelingCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    const e = toCliError(err);
    printError(e, argv.includes('--json'));
    return e.exitCode;
  }
}

// main.ts (tsx), main.js (dist/) or the bin/sagebrush.js launcher.
const isMain = process.argv[1] !== undefined && /(?:main\.[jt]s|sagebrush(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  // Long-lived commands (serve, worker) resolve only at shutdown; exit so stray handles can't hang a one-shot run.
  // (No top-level await: the CLI bundle is a CommonJS script, for V8's code cache — ADR 0008.)
  void runCli(process.argv).then((code) => process.exit(code));
}
