/**
 * Sending one webhook request without letting a registered URL reach this machine's network (the rules of
 * src/domains/fhir/ssrf.ts, with the webhook allow-list SAGEBRUSH_WEBHOOK_ALLOW): https only (http only for
 * allow-listed origins), no credentials in the URL, no loopback, link-local, cloud-metadata, private, CGNAT or
 * unspecified address unless the origin is allow-listed. The host is resolved once, every address is checked, and
 * the socket is pinned to them. Redirects are not followed (a 3xx is a failed delivery). The body is signed:
 * `X-Sagebrush-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the webhook's secret>`.
 */
import { createHmac } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { AppError } from '../../core/errors.ts';
import { blockedAddressReason, isLocalOrMetadataName, originAllowListed, pinnedLookup, systemResolve } from '../fhir/ssrf.ts';

const FIX = 'Use an https URL on a public host, or for a receiver on this network add its origin (e.g. http://127.0.0.1:9000) to SAGEBRUSH_WEBHOOK_ALLOW.';

export interface WebhookPolicy {
  /** Origins (scheme://host[:port]) that may use http and private addresses. */
  allowOrigins: readonly string[];
  /** For tests: the resolver (default dns.lookup, all addresses). */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

const refused = (message: string, field = 'url') => new AppError('WEBHOOK_URL_NOT_ALLOWED', message, { problems: [{ field, problem: message, fix: FIX }] });

/** Checks that need no DNS; throws WEBHOOK_URL_NOT_ALLOWED naming `url`. */
export function checkWebhookUrl(raw: string, policy: WebhookPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(`url "${raw.slice(0, 200)}" is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(`url uses the ${url.protocol} scheme; webhooks are sent over https.`);
  if (url.username || url.password) throw refused('url must not carry credentials; the receiver checks the X-Sagebrush-Signature header instead.');
  const ok = originAllowListed(policy.allowOrigins, url);
  if (url.protocol === 'http:' && !ok) throw refused(`url ${url.origin} must use https (http only for origins in SAGEBRUSH_WEBHOOK_ALLOW).`);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!ok && isLocalOrMetadataName(host)) throw refused(`url host ${host} is a local or cloud metadata name and may not be contacted.`);
  if (!ok && isIP(host)) {
    const why = blockedAddressReason(host);
    if (why) throw refused(`url ${url.origin} is ${why} and may not be contacted.`);
  }
  return url;
}


/** Resolves the host and checks every address (unless allow-listed); the request may use only these. */
export async function resolveWebhookHost(url: URL, policy: WebhookPolicy): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addrs = family ? [{ address: host, family }] : await (policy.resolve ?? systemResolve)(host).catch(() => []);
  if (addrs.length === 0) throw refused(`url host ${host} does not resolve to any address.`);
  if (!originAllowListed(policy.allowOrigins, url)) {
    for (const a of addrs) {
      const why = blockedAddressReason(a.address);
      if (why) throw refused(`url ${url.origin} resolves to ${why} and may not be contacted.`);
    }
  }
  return addrs;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export type SendOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; retry: boolean; code: 'WEBHOOK_URL_TIMEOUT' | 'WEBHOOK_DELIVERY_FAILED' | 'WEBHOOK_URL_NOT_ALLOWED'; message: string };

export interface SendInput {
  url: string;
  secret: string;
  body: string;
  event: string;
  deliveryId: string;
  timeoutMs: number;
}

/** One POST; never throws. Timeouts, connection errors, 408, 429 and 5xx are retryable; other answers are final. */
export async function sendWebhook(input: SendInput, policy: WebhookPolicy): Promise<SendOutcome> {
  let url: URL;
  let addrs: LookupAddress[];
  try {
    url = checkWebhookUrl(input.url, policy);
    addrs = await resolveWebhookHost(url, policy);
  } catch (err) {
    return { ok: false, status: null, retry: false, code: 'WEBHOOK_URL_NOT_ALLOWED', message: (err as Error).message };
  }
  const pinned = pinnedLookup(addrs);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(input.body)),
    'user-agent': 'Sagebrush-Webhooks/1',
    'x-sagebrush-event': input.event,
    'x-sagebrush-delivery': input.deliveryId,
    'x-sagebrush-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-sagebrush-signature': signBody(input.secret, input.body),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    const req = send(url, { method: 'POST', headers, lookup: pinned }, (res) => {
      res.resume(); // the answer's body is not kept (nor passed on)
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ ok: true, status });
        else resolve({ ok: false, status, retry: status >= 500 || status === 408 || status === 429, code: 'WEBHOOK_DELIVERY_FAILED', message: `url answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}.` });
      });
      res.on('error', () => undefined);
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, status: null, retry: true, code: 'WEBHOOK_URL_TIMEOUT', message: `url did not answer within ${input.timeoutMs} ms.` });
    }, input.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, status: null, retry: true, code: 'WEBHOOK_DELIVERY_FAILED', message: `url could not be reached: ${err.message}` });
    });
    req.end(input.body);
  });
}
