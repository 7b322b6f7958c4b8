/** /api/v1/webhooks: register, list, delete webhooks and read their delivery log. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../core/http/principal.ts';
import type { WebhookService } from './service.ts';

export interface WebhookRouteDeps {
  webhooks: WebhookService;
}

const registerBody = z.object({
  url: z.string().min(1).max(2000).describe('https URL of the receiver (http or a private address only for origins in SAGEBRUSH_WEBHOOK_ALLOW)'),
  events: z.array(z.string().min(1).max(100)).min(1).max(20).describe('event names, or "*" for all'),
  secret: z.string().max(200).optional().describe('HMAC key (at least 16 characters); generated and returned once when left out'),
  description: z.string().max(500).optional(),
  verify: z.boolean().optional().describe('send a signed ping first; nothing is stored unless it is answered 2xx'),
});
const idParam = z.object({ id: z.string().min(1).max(100) });
const deliveryQuery = z.object({ status: z.enum(['pending', 'sending', 'succeeded', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() });

export async function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { webhooks } = deps;

  r.post('/webhooks', { schema: { tags: ['webhooks'], summary: 'Register a webhook (the secret is shown only in this answer)', body: registerBody } }, async (req, reply) =>
    reply.status(201).send(await webhooks.register(req.body, principalOf(req))),
  );
  r.get('/webhooks', { schema: { tags: ['webhooks'], summary: 'List webhooks (secrets are never listed)' } }, async () => ({ items: await webhooks.list() }));
  r.get('/webhooks/:id', { schema: { tags: ['webhooks'], summary: 'One webhook', params: idParam } }, async (req) => webhooks.get(req.params.id));
  r.delete('/webhooks/:id', { schema: { tags: ['webhooks'], summary: 'Delete a webhook and its delivery log', params: idParam } }, async (req, reply) => {
    await webhooks.delete(req.params.id);
    return reply.status(204).send();
  });
  r.get('/webhooks/:id/deliveries', { schema: { tags: ['webhooks'], summary: "A webhook's delivery log, newest first", params: idParam, querystring: deliveryQuery } }, async (req) => {
    await webhooks.get(req.params.id);
    return webhooks.deliveries({ webhookId: req.params.id, ...req.query });
  });
  r.get('/webhook-deliveries', { schema: { tags: ['webhooks'], summary: 'Every delivery, newest first', querystring: deliveryQuery } }, async (req) => webhooks.deliveries(req.query));
}
