/**
 * `sagebrush edge fleets create|list`, `edge devices register|revoke|list`, `edge deploy MODEL@VERSION --fleet F
 * [--canary 0.5]`, `edge status FLEET [--json]`, and the agent process itself: `sagebrush agent --server URL --token
 * TOKEN --watch DIR --data DIR [--device NAME]` (also `edge-agent`). The agent runs until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import type { Deployment, Device, Fleet, FleetStatus } from '../domains/edge/index.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { globalOptions, withTransport } from './session.ts';

const enc = encodeURIComponent;

function share(v: string, field: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new CliError('VALIDATION_FAILED', `--${field} ${v}: give a number between 0 and 1`, 1, [{ field, problem: `"${v}" is not in 0–1`, fix: `Write e.g. --${field} 0.5.` }]);
  return n;
}

/** `NAME@VERSION` (the brief's form) → `NAME:VERSION`; `NAME@alias` and `NAME:VERSION` pass through. */
export function modelRef(ref: string): string {
  return ref.replace(/^([^@:]+)@(\d+)$/, '$1:$2');
}

const ago = (iso: string | null) => (iso ? `${Math.round((Date.now() - Date.parse(iso)) / 1000)} s ago` : 'never');

export function registerEdgeCommands(program: Command): void {
  const edge = program.command('edge').description('Edge fleets: devices, device tokens, deployments with canary and rollback');

  const fleets = edge.command('fleets').description('Fleets of devices');
  fleets.command('create <name>')
    .option('--threshold <confidence>', 'feedback: images with no detection at or above this go to labeling', '0.7')
    .option('--canary <share>', 'share of devices that get a new version first', '0.5')
    .option('--dataset <name>', 'detection dataset whose labeling inbox receives the feedback images (default: the fleet name)')
    .option('--max-error-rate <r>', 'canary health: highest inference error rate').option('--max-latency-ms <ms>', 'canary health: highest p95 latency')
    .option('--min-samples <n>', 'canary health: inferences needed before deciding')
    .action(async (name: string, o: { threshold: string; canary: string; dataset?: string; maxErrorRate?: string; maxLatencyMs?: string; minSamples?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const health = { ...(o.maxErrorRate ? { maxErrorRate: Number(o.maxErrorRate) } : {}), ...(o.maxLatencyMs ? { maxLatencyP95Ms: Number(o.maxLatencyMs) } : {}), ...(o.minSamples ? { minSamples: Number(o.minSamples) } : {}) };
        const f = expectOk<Fleet>(await t.request('POST', '/api/v1/edge/fleets', { name, feedbackThreshold: share(o.threshold, 'threshold'), canaryShare: share(o.canary, 'canary'), ...(o.dataset ? { feedbackDataset: o.dataset } : {}), health }));
        if (g.json) printJson(f);
        else process.stdout.write(`fleet ${f.name}: feedback below ${f.feedbackThreshold}, canary ${f.canaryShare}\n`);
      }));
  fleets.command('list').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: Fleet[] }>(await t.request('GET', '/api/v1/edge/fleets'));
      if (g.json) printJson(page);
      else printTable(['name', 'threshold', 'canary', 'feedback dataset'], page.items.map((f) => [f.name, f.feedbackThreshold, f.canaryShare, f.feedbackDataset]));
    }));

  const devices = edge.command('devices').description('Devices and their tokens');
  devices.command('register <name>').requiredOption('--fleet <fleet>').description('Register a device; prints its token once (only a hash is kept)')
    .action(async (name: string, o: { fleet: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const out = expectOk<{ device: Device; token: string }>(await t.request('POST', `/api/v1/edge/fleets/${enc(o.fleet)}/devices`, { name }));
        if (g.json) printJson({ device: out.device.name, fleet: o.fleet, token: out.token });
        else process.stdout.write(`device ${out.device.name} in ${o.fleet}\ntoken (shown once): ${out.token}\n`);
      }));
  devices.command('revoke <name>').requiredOption('--fleet <fleet>').action(async (name: string, o: { fleet: string }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const d = expectOk<Device>(await t.request('POST', `/api/v1/edge/fleets/${enc(o.fleet)}/devices/${enc(name)}/revoke`));
      if (g.json) printJson({ device: d.name, revokedAt: d.revokedAt });
      else process.stdout.write(`device ${d.name}: token revoked at ${d.revokedAt}\n`);
    }));
  devices.command('list').requiredOption('--fleet <fleet>').action(async (o: { fleet: string }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: FleetStatus['devices'] }>(await t.request('GET', `/api/v1/edge/fleets/${enc(o.fleet)}/devices`));
      if (g.json) printJson(page);
      else printTable(['device', 'model', 'last seen', 'img/s', 'queue', 'results', 'feedback', 'revoked'], page.items.map((d) => [d.name, d.model, ago(d.lastSeenAt), d.inferenceRate?.toFixed(2), d.queueDepth, d.results, d.feedback, d.revoked ? 'yes' : '']));
    }));

  edge.command('deploy <model>').description('Deploy a detector version (NAME@VERSION, NAME:VERSION or NAME@alias) to a fleet')
    .requiredOption('--fleet <fleet>').option('--canary <share>', 'share of devices that get it first (default: the fleet\'s)')
    .action(async (model: string, o: { fleet: string; canary?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const d = expectOk<Deployment>(await t.request('POST', `/api/v1/edge/fleets/${enc(o.fleet)}/deployments`, { model: modelRef(model), ...(o.canary !== undefined ? { canary: share(o.canary, 'canary') } : {}) }));
        if (g.json) printJson(d);
        else process.stdout.write(`deployed ${d.model} to ${o.fleet}: ${d.state}${d.canaryDevices.length ? ` on ${d.canaryDevices.length} device(s) first` : ''} (sha256 ${d.sha256.slice(0, 12)}…)\n`);
      }));

  edge.command('status <fleet>').description('Devices (model, last seen, inference rate, feedback) and deployment history').action(async (fleet: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const s = expectOk<FleetStatus>(await t.request('GET', `/api/v1/edge/fleets/${enc(fleet)}`));
      if (g.json) return printJson(s);
      process.stdout.write(`fleet ${s.fleet.name}: stable ${s.stableModel ?? 'none'}; ${s.totals.results} results, ${s.totals.feedback} feedback images, ${s.totals.errors} errors\n`);
      printTable(['device', 'model', 'last seen', 'img/s', 'queue', 'feedback', 'warnings'], s.devices.map((d) => [d.name, d.model, ago(d.lastSeenAt), d.inferenceRate?.toFixed(2), d.queueDepth, d.feedback, d.warnings.join('; ')]));
      printTable(['deployment', 'model', 'state', 'canary', 'reason', 'at'], s.deployments.map((d) => [d.id, d.model, d.state, d.canaryDevices.length, d.reason, d.createdAt]));
    }));

  for (const name of ['agent', 'edge-agent']) {
    program.command(name).description(name === 'agent' ? 'Run the edge agent: watch a folder, infer locally, sync with the server (offline first)' : 'Same as `agent`')
      .requiredOption('--server <url>', 'the Sagebrush server').option('--watch <dir>', 'folder to watch for new images', './inbox')
      .option('--data <dir>', 'agent data: outbox, models, processed and rejected images, results.jsonl', './.sagebrush-agent')
      .option('--device <name>', 'device name (for logs; the token decides which device it is)')
      .option('--max-queue-mb <mb>', 'cap of the on-disk queue', '512').option('--heartbeat-ms <ms>', 'heartbeat interval', '5000')
      .option('--max-backoff-ms <ms>', 'longest wait between retries', '30000').option('--threads <n>', 'onnxruntime threads', '1')
      .option('--annotate', 'also write <data>/annotated/*.jpg with the boxes drawn').option('--keep-processed <n>', 'processed images kept on disk (older ones deleted)', '1000')
      .option('--listen <port>', 'serve POST /infer (image bytes) and GET /status on 127.0.0.1:<port>')
      .action(async (o: { server: string; watch: string; data: string; device?: string; maxQueueMb: string; heartbeatMs: string; maxBackoffMs: string; threads: string; annotate?: boolean; listen?: string; keepProcessed: string }, cmd: Command) => {
        // --token is the program's global option (also SAGEBRUSH_DEVICE_TOKEN).
        const token = globalOptions(cmd).token ?? process.env.SAGEBRUSH_DEVICE_TOKEN;
        if (!token) throw new CliError('EDGE_DEVICE_TOKEN_INVALID', 'Give the device token: --token TOKEN (from `sagebrush edge devices register`) or SAGEBRUSH_DEVICE_TOKEN.', 1);
        const { startAgent } = await import('../agent/agent.ts');
        const agent = await startAgent({ server: o.server, token, watch: o.watch, data: o.data, device: o.device, maxQueueBytes: Number(o.maxQueueMb) * 1024 * 1024, heartbeatMs: Number(o.heartbeatMs), maxBackoffMs: Number(o.maxBackoffMs), threads: Number(o.threads), annotate: o.annotate, keepProcessed: Number(o.keepProcessed), ...(o.listen !== undefined ? { listen: Number(o.listen) } : {}) });
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await agent.stop();
      });
  }
}
