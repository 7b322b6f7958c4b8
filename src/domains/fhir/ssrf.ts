/**
 * Outbound requests to a FHIR server that a caller named (a CDS hook's `fhirServer`) without letting the
 * caller reach this machine's network: https only (http only for allow-listed origins), no other schemes,
 * and no loopback, link-local, cloud-metadata, private, CGNAT or unspecified address (IPv4-mapped IPv6
 * included) unless the origin is allow-listed. The host is resolved once, every address is checked, and the
 * connection is pinned to the checked addresses (no second DNS answer can rebind it). Redirects are never
 * followed (node:http does not follow them; the caller sees the 3xx status).
 */
import dns, { type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../core/errors.ts';

const blocked = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(net, bits, 'ipv6');
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'metadata.azure.internal']);

/** Host names that name this machine or a cloud metadata service (lower-case, no brackets). Shared with webhooks. */
export function isLocalOrMetadataName(host: string): boolean {
  return METADATA_HOSTS.has(host) || host === 'localhost' || host.endsWith('.localhost');
}

/** Why an address may not be contacted, or null when it is public. IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as IPv4. */
export function blockedAddressReason(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (ip === '169.254.169.254' || ip.toLowerCase() === 'fd00:ec2::254') return 'a cloud metadata address';
  if (family === 6 && /^::ffff:/i.test(ip)) return 'an IPv4-mapped address';
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6') ? 'a loopback, link-local, private or reserved address' : null;
}

export interface OutboundPolicy {
  /** Origins (scheme://host[:port]) that may use http and private addresses, e.g. a development FHIR server. */
  allowOrigins: readonly string[];
  /** For tests: the resolver (default dns.lookup with all addresses). */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

const refused = (field: string, message: string, fix: string) => new AppError('FHIR_SERVER_NOT_ALLOWED', message, { problems: [{ field, problem: message, fix }] });

/** Whether `url`'s origin is one of the allow-listed origins (malformed entries match nothing). Shared with webhooks. */
export function originAllowListed(allowOrigins: readonly string[], url: URL): boolean {
  return allowOrigins.some((o) => {
    try {
      return new URL(o).origin === url.origin;
    } catch {
      return false;
    }
  });
}

/** Scheme and literal-address checks that need no DNS; throws FHIR_SERVER_NOT_ALLOWED naming `field`. */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy, field = 'fhirServer'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(field, `${field} is not an absolute URL.`, 'Send the https base URL of the FHIR server, e.g. https://ehr.example.org/fhir/R4.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw refused(field, `${field} uses the ${url.protocol} scheme; only https: FHIR servers can be read.`, 'Send the https base URL of the FHIR server.');
  }
  if (url.username || url.password) throw refused(field, `${field} must not carry credentials in the URL.`, 'Send the access token in fhirAuthorization instead.');
  const ok = originAllowListed(policy.allowOrigins, url);
  if (url.protocol === 'http:' && !ok) {
    throw refused(field, `${field} ${url.origin} must use https (http is allowed only for origins in SAGEBRUSH_CDS_FHIR_ALLOW).`, 'Send the https base URL, or for development add the origin to SAGEBRUSH_CDS_FHIR_ALLOW.');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!ok && isLocalOrMetadataName(host)) {
    throw refused(field, `${field} host ${host} is a local or cloud metadata name and may not be contacted.`, 'Use a public FHIR server, or allow-list the origin in SAGEBRUSH_CDS_FHIR_ALLOW.');
  }
  if (!ok && isIP(host)) {
    const why = blockedAddressReason(host);
    if (why) throw refused(field, `${field} ${url.origin} is ${why} and may not be contacted.`, 'Use a public FHIR server, or allow-list the origin in SAGEBRUSH_CDS_FHIR_ALLOW.');
  }
  return url;
}

// dns.lookup is read at call time (not bound at import) so a test harness's resolver applies.
export const systemResolve = (host: string) => new Promise<LookupAddress[]>((res, rej) => dns.lookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? rej(err) : res(addrs))));

/** Resolves the host and checks every address; the returned addresses are the only ones the request may use. */
export async function resolveOutbound(url: URL, policy: OutboundPolicy, field = 'fhirServer'): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addrs = family ? [{ address: host, family }] : await (policy.resolve ?? systemResolve)(host);
  if (addrs.length === 0) throw new Error(`no address for ${host}`);
  if (!originAllowListed(policy.allowOrigins, url)) {
    for (const a of addrs) {
      const why = blockedAddressReason(a.address);
      if (why) throw refused(field, `${field} ${url.origin} resolves to ${why} and may not be contacted.`, 'Use a public FHIR server, or allow-list the origin in SAGEBRUSH_CDS_FHIR_ALLOW.');
    }
  }
  return addrs;
}

/** A socket lookup that answers only with `addrs` (the checked addresses), so no second DNS answer can rebind. Shared with webhooks. */
export function pinnedLookup(addrs: LookupAddress[]): LookupFunction {
  return (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: LookupAddress[]) => void)(null, addrs);
    else cb(null, addrs[0]!.address, addrs[0]!.family);
  };
}

/** A `fetch` for one FHIR server: checks and pins every request as above; never follows redirects. */
export function createGuardedFetch(policy: OutboundPolicy, maxBytes = 64 * 1024 * 1024): typeof fetch {
  return async (input, init = {}) => {
    const url = checkOutboundUrl(String(input instanceof Request ? input.url : input), policy);
    const addrs = await resolveOutbound(url, policy);
    const pinned = pinnedLookup(addrs);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method: init.method ?? 'GET', headers, lookup: pinned, ...(init.signal ? { signal: init.signal } : {}) }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res) {
      size += (c as Buffer).length;
      if (size > maxBytes) {
        res.destroy();
        throw new Error(`response larger than ${maxBytes} bytes`);
      }
      chunks.push(c as Buffer);
    }
    const status = res.statusCode ?? 502;
    const outHeaders = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') outHeaders.set(k, v);
    const noBody = status === 204 || status === 205 || status === 304 || status < 200;
    return new Response(noBody ? null : Buffer.concat(chunks), { status: status < 200 || status > 599 ? 502 : status, headers: outHeaders });
  };
}
