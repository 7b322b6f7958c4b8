/**
 * The outbound guard for a caller-named FHIR server, against a real HTTP server on 127.0.0.1 that records
 * every request it receives: refused URLs never reach it; allow-listed ones do, pinned to the checked address;
 * the remote's error bodies never reach the caller.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { createRemoteFhirSource } from './remote.ts';
import { blockedAddressReason, checkOutboundUrl, createGuardedFetch, resolveOutbound } from './ssrf.ts';

let server: Server;
let port: number;
const received: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req);
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    if (req.url?.includes('/Patient/secret')) {
      res.writeHead(403, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'INTERNAL aws_secret_access_key=AKIA-LEAK' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Patient', id: 'p1', host: req.headers.host }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => new Promise((r) => server.close(r)));
beforeEach(() => {
  received.length = 0;
});

async function error(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('blockedAddressReason', () => {
  it('refuses loopback, link-local, metadata, private, CGNAT, unspecified and their IPv4-mapped forms', () => {
    for (const ip of ['127.0.0.1', '127.9.9.9', '169.254.169.254', '169.254.1.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::', '::1', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1']) {
      expect(blockedAddressReason(ip), ip).not.toBeNull();
    }
    expect(blockedAddressReason('169.254.169.254')).toBe('a cloud metadata address');
    for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(blockedAddressReason(ip), ip).toBeNull();
  });
});

describe('checkOutboundUrl / resolveOutbound', () => {
  const none = { allowOrigins: [] };
  it('names fhirServer and the scheme for file:, data:, ftp: and javascript: URLs', async () => {
    for (const [url, scheme] of [['file:///etc/passwd', 'file:'], ['data:application/json,{}', 'data:'], ['ftp://x.example.org/r4', 'ftp:'], ['javascript:alert(1)', 'javascript:']]) {
      const e = await error(() => checkOutboundUrl(url!, none));
      expect(e.code).toBe('FHIR_SERVER_NOT_ALLOWED');
      expect(e.message).toBe(`fhirServer uses the ${scheme} scheme; only https: FHIR servers can be read.`);
      expect(e.problems?.[0]?.field).toBe('fhirServer');
    }
  });
  it('allows http only for allow-listed origins', async () => {
    expect((await error(() => checkOutboundUrl('http://fhir.example.org/r4', none))).message).toMatch(/^fhirServer http:\/\/fhir\.example\.org must use https/);
    expect(checkOutboundUrl(`http://127.0.0.1:${port}/r4`, { allowOrigins: [`http://127.0.0.1:${port}`] }).port).toBe(String(port));
    expect(checkOutboundUrl('https://fhir.example.org/r4', none).hostname).toBe('fhir.example.org');
  });
  it('refuses literal and resolved internal addresses unless allow-listed', async () => {
    for (const url of ['https://169.254.169.254/x', 'https://[::ffff:169.254.169.254]/x', 'https://10.0.0.5/r4', 'https://[::1]/r4', 'https://localhost/r4', 'https://metadata.google.internal/computeMetadata/v1']) {
      expect((await error(() => checkOutboundUrl(url, none))).code, url).toBe('FHIR_SERVER_NOT_ALLOWED');
    }
    const resolvesTo = (address: string, family = 4) => ({ allowOrigins: [], resolve: async () => [{ address, family }] });
    for (const ip of ['127.0.0.1', '169.254.169.254', '192.168.0.7', '100.100.100.200']) {
      const e = await error(resolveOutbound(new URL('https://fhir.example.org/r4'), resolvesTo(ip)));
      expect(e.message).toMatch(/^fhirServer https:\/\/fhir\.example\.org resolves to .* and may not be contacted/);
    }
    // One bad address among several is enough to refuse (a rebinding host may answer with both).
    const mixed = { allowOrigins: [], resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '::ffff:127.0.0.1', family: 6 }] };
    expect((await error(resolveOutbound(new URL('https://fhir.example.org/r4'), mixed))).code).toBe('FHIR_SERVER_NOT_ALLOWED');
    expect(await resolveOutbound(new URL('https://fhir.example.org/r4'), { allowOrigins: ['https://fhir.example.org'], resolve: resolvesTo('10.0.0.1').resolve })).toEqual([{ address: '10.0.0.1', family: 4 }]);
  });
});

describe('guarded fetch and the remote source against a server on 127.0.0.1', () => {
  it('makes no connection to loopback without the allow-list', async () => {
    const remote = () => createRemoteFhirSource({ baseUrl: `http://127.0.0.1:${port}/r4` });
    expect((await error(remote)).code).toBe('FHIR_SERVER_NOT_ALLOWED');
    const f = createGuardedFetch({ allowOrigins: [], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect((await error(f(`https://fhir.example.org:${port}/r4/Patient/p1`))).code).toBe('FHIR_SERVER_NOT_ALLOWED');
    expect(received).toHaveLength(0);
  });

  it('pins the connection to the checked address and keeps the Host header', async () => {
    const f = createGuardedFetch({ allowOrigins: [`http://fhir.test:${port}`], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const res = await f(`http://fhir.test:${port}/r4/Patient/p1`, { headers: { accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ resourceType: 'Patient', host: `fhir.test:${port}` });
    expect(received).toHaveLength(1);
  });

  it('does not follow redirects, and never passes on the remote error body', async () => {
    const remote = createRemoteFhirSource({ baseUrl: `http://127.0.0.1:${port}/r4`, allowOrigins: [`http://127.0.0.1:${port}`] });
    expect((await remote.read('Patient', 'p1'))?.id).toBe('p1');
    const refused = await error(remote.read('Patient', 'secret'));
    expect(refused.code).toBe('FHIR_REMOTE_REJECTED');
    expect(refused.message).toBe(`FHIR server http://127.0.0.1:${port}/r4 refused read Patient/secret: HTTP 403`);
    expect(JSON.stringify({ m: refused.message, p: refused.problems })).not.toMatch(/AKIA|INTERNAL/);
    const redirected = createRemoteFhirSource({ baseUrl: `http://127.0.0.1:${port}/redirect`, allowOrigins: [`http://127.0.0.1:${port}`] });
    received.length = 0;
    expect((await error(redirected.read('Patient', 'p1'))).message).toMatch(/HTTP 302$/);
    expect(received).toHaveLength(1); // the redirect target was never requested
  });
});
