/**
 * Keeps the SSRF cases on this machine. While installed, in this process:
 *  - every host name resolves to 127.0.0.1 (dns.lookup, dns.promises.lookup), so no DNS query leaves;
 *  - a socket connect to an IP literal outside loopback is refused before any packet is sent, and recorded;
 * and a canary HTTP server on 127.0.0.1 counts every connection and request it gets. A case whose code under
 * test would connect to a private, metadata or loopback address therefore fails (recorded attempt, or a canary
 * hit) without traffic leaving the machine.
 */
import dns from 'node:dns';
import { isIP, Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

export interface NetGuard {
  /** Connects refused because they pointed outside loopback ("host:port"). */
  blocked: string[];
  uninstall(): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

function hostOf(args: unknown[]): { host: string; port: string } | undefined {
  const [a, b] = args;
  if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
    const o = a as { host?: string; port?: number | string; path?: string };
    if (o.path) return undefined; // unix socket / pipe
    return { host: String(o.host ?? 'localhost'), port: String(o.port ?? '') };
  }
  if (Array.isArray(a)) return hostOf(a); // internal normalised arguments
  if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) return { host: typeof b === 'string' ? b : 'localhost', port: String(a) };
  return undefined; // a path string (unix socket)
}

export function installNetGuard(): NetGuard {
  const blocked: string[] = [];
  const origConnect = Socket.prototype.connect;
  const origLookup = dns.lookup;
  const origPromisesLookup = dns.promises.lookup;

  Socket.prototype.connect = function guardedConnect(this: Socket, ...args: unknown[]) {
    const target = hostOf(args);
    const host = target?.host.replace(/^\[|\]$/g, '');
    if (target && host && isIP(host) && !LOOPBACK.test(host)) {
      blocked.push(`${host}:${target.port}`);
      const err = Object.assign(new Error(`hostile-suite net guard: connect to ${host}:${target.port} refused (not loopback)`), { code: 'ECONNREFUSED' });
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return (origConnect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;

  const fakeLookup = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address: unknown, family?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    const literal = isIP(hostname) ? hostname : '127.0.0.1';
    const family = isIP(literal) || 4;
    process.nextTick(() => (all ? cb(null, [{ address: literal, family }]) : cb(null, literal, family)));
  }) as typeof dns.lookup;
  dns.lookup = fakeLookup;
  dns.promises.lookup = (async (hostname: string, options?: { all?: boolean }) => {
    const literal = isIP(hostname) ? hostname : '127.0.0.1';
    const entry = { address: literal, family: isIP(literal) || 4 };
    return options?.all ? [entry] : entry;
  }) as typeof dns.promises.lookup;
  syncBuiltinESMExports();

  return {
    blocked,
    uninstall() {
      Socket.prototype.connect = origConnect;
      dns.lookup = origLookup;
      dns.promises.lookup = origPromisesLookup;
      syncBuiltinESMExports();
    },
  };
}

export interface Canary {
  port: number;
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers 500 with a secret body (to prove remote errors are not reflected). */
export async function startCanary(secret: string): Promise<Canary> {
  const state = { connections: 0, requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    res.writeHead(500, { 'content-type': 'text/plain' }).end(secret);
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
