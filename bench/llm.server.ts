/**
 * The real Sagebrush server for the LLM benchmark, in its own process (so the benchmark's HTTP client does
 * not share its event loop): a temp data dir, listening on 127.0.0.1 on a free port.
 * Usage: tsx bench/llm.server.ts DATA_DIR — prints `{"port": N}` once listening; answers a `cpu` line on stdin
 * with `{"cpuMs": N}` (user + system CPU time of the whole process so far); exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/core/config.ts';
import { buildApp } from '../src/http/app.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: llm.server.ts DATA_DIR');
  process.exit(2);
}
const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', apiTokens: [] } }));
const app = await buildApp(ctx, { webDist: join(dataDir, 'no-web-ui') });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : null }));

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close();
  await ctx.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const u = process.cpuUsage();
  console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000 }));
});
process.stdin.on('end', () => void shutdown());
