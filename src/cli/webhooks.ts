/** `sagebrush webhooks add|list|delete|deliveries` — signed POSTs for model-registry events, and their delivery log. */
import type { Command } from 'commander';
import { expectOk, printJson, printTable } from './output.ts';
import { deleteAndReport } from './requests.ts';
import { withTransport } from './session.ts';

interface Webhook { id: string; url: string; events: string[]; active: boolean; createdBy: string; createdAt: string; secret?: string }
interface Delivery { id: string; event: string; status: string; attempts: number; responseCode: number | null; errorCode: string | null; lastError: string | null; updatedAt: string }

export function registerWebhookCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('Webhooks on model-registry events (HMAC-signed, retried, logged)');
  webhooks.command('add <url>').description('Register URL; prints the signing secret once')
    .option('--events <list>', 'comma-separated: model_version.created, model_version.approval_changed, model_alias.changed, or *', '*')
    .option('--secret <secret>', 'HMAC key (at least 16 characters; generated when left out)')
    .option('--description <text>')
    .option('--verify', 'send a signed ping first; store nothing unless it is answered 2xx')
    .action(async (url: string, o: { events: string; secret?: string; description?: string; verify?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const body = { url, events: o.events.split(',').map((e) => e.trim()).filter(Boolean), secret: o.secret, description: o.description, verify: o.verify };
        const hook = expectOk<Webhook>(await t.request('POST', '/api/v1/webhooks', JSON.parse(JSON.stringify(body))));
        if (g.json) return printJson(hook);
        process.stdout.write(`webhook ${hook.id} → ${hook.url} (${hook.events.join(', ')})\nsecret: ${hook.secret}\n`);
      }),
    );
  webhooks.command('list').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const out = expectOk<{ items: Webhook[] }>(await t.request('GET', '/api/v1/webhooks'));
      if (g.json) return printJson(out);
      printTable(['id', 'url', 'events', 'by', 'created'], out.items.map((h) => [h.id, h.url, h.events.join(','), h.createdBy, h.createdAt]));
    }),
  );
  webhooks.command('delete <id>').action(async (id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, (t, g) => deleteAndReport(t, g, `/api/v1/webhooks/${encodeURIComponent(id)}`, id)),
  );
  webhooks.command('deliveries <id>').description("A webhook's delivery log, newest first").option('--status <status>', 'pending | sending | succeeded | failed')
    .action(async (id: string, o: { status?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const out = expectOk<{ items: Delivery[] }>(await t.request('GET', `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=200${o.status ? `&status=${encodeURIComponent(o.status)}` : ''}`));
        if (g.json) return printJson(out);
        printTable(['delivery', 'event', 'status', 'attempts', 'HTTP', 'error'], out.items.map((d) => [d.id, d.event, d.status, d.attempts, d.responseCode, d.errorCode ? `${d.errorCode}: ${d.lastError}` : '']));
      }),
    );
}
