/**
 * The webhooks domain's public surface (src/app and src/http import it only from here): the service (register,
 * durable outbox `record`, delivery loop start/stop), the signing helper and the /api/v1/webhooks routes plugin.
 */
export { createWebhookService, type Delivery, type RegisterInput, type Webhook, type WebhookOptions, type WebhookService, type WebhookServiceDeps } from './service.ts';
export { signBody, type WebhookPolicy } from './send.ts';
export { webhookRoutes, type WebhookRouteDeps } from './routes.ts';
