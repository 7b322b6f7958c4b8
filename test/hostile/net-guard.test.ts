/**
 * The hostile suite's net guard really keeps traffic on this machine: connects to non-loopback IP literals
 * (net, http, fetch) are refused before a packet is sent and recorded; host names resolve to 127.0.0.1;
 * loopback still works.
 */
import dns from 'node:dns';
import { lookup as promisesLookup } from 'node:dns/promises';
import { get } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNetGuard, startCanary, type Canary, type NetGuard } from './net-guard.ts';

let guard: NetGuard;
let canary: Canary;

beforeAll(async () => {
  guard = installNetGuard();
  canary = await startCanary('secret');
});
afterAll(async () => {
  await canary.close();
  guard.uninstall();
});

const refused = (start: () => Promise<unknown>) => start().then(() => 'connected', (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? (e as { code?: string }).code ?? e.message);

describe('net guard', () => {
  it('refuses net.connect to a private address and records it', async () => {
    const code = await refused(() => new Promise((resolve, reject) => connect(80, '10.0.0.1').on('connect', resolve).on('error', reject)));
    expect(code).toBe('ECONNREFUSED');
    expect(guard.blocked).toContain('10.0.0.1:80');
  });

  it('refuses http and fetch to the metadata address and IPv6 addresses', async () => {
    expect(await refused(() => new Promise((resolve, reject) => get('http://169.254.169.254/latest', resolve).on('error', reject)))).toBe('ECONNREFUSED');
    expect(await refused(() => fetch('http://[fd00::1]:8080/'))).toMatch(/ECONNREFUSED|fetch failed/);
    expect(guard.blocked).toEqual(expect.arrayContaining(['169.254.169.254:80', 'fd00::1:8080']));
  });

  it('resolves every host name to 127.0.0.1 (no DNS query leaves)', async () => {
    expect((await promisesLookup('metadata.google.internal')).address).toBe('127.0.0.1');
    const viaCallback = await new Promise<string>((resolve, reject) => dns.lookup('example.org', (e, a) => (e ? reject(e) : resolve(a))));
    expect(viaCallback).toBe('127.0.0.1');
  });

  it('lets loopback through, so the canary counts what reaches it', async () => {
    const res = await fetch(`http://127.0.0.1:${canary.port}/x`);
    expect(res.status).toBe(500);
    expect(canary.connections).toBe(1);
    expect(canary.requests).toEqual(['GET /x']);
  });
});
