/**
 * Burst generator for the endpoint benchmark, in its own process: COUNT requests sent at once (one socket each) to
 * `POST /api/v1/endpoints/NAME/classify`, every 10th malformed (cycling: broken JSON, no Text, a number as Text, an
 * empty Text, 26 documents in TextList). The valid ones carry test texts whose answers were first fetched one by one;
 * each burst answer is compared with that reference. To 127.0.0.1 only.
 * Usage: tsx bench/text.burst.ts PORT ENDPOINT TEXTS.json COUNT — prints one JSON line.
 */
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const [portArg, endpoint, textsFile, nArg] = process.argv.slice(2);
if (!portArg || !endpoint || !textsFile || !nArg) {
  console.error('usage: text.burst.ts PORT ENDPOINT TEXTS.json COUNT');
  process.exit(2);
}
const port = Number(portArg), count = Number(nArg);
const texts = (JSON.parse(readFileSync(textsFile, 'utf8')) as string[]).slice(0, 50);
const path = `/api/v1/endpoints/${encodeURIComponent(endpoint)}/classify`;
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

function post(body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: -1, body: '' }));
    });
    req.on('error', (e) => resolve({ status: -1, body: String(e) }));
    req.end(body);
  });
}

const MALFORMED = ['{"Text": "unterminated', '{"Other": "x"}', '{"Text": 123}', '{"Text": "   "}', JSON.stringify({ TextList: Array.from({ length: 26 }, () => 'a') })];
const reference: string[] = [];
for (const t of texts) reference.push((await post(JSON.stringify({ Text: t }))).body);

const t0 = process.hrtime.bigint();
const sent = Array.from({ length: count }, (_, i) => (i % 10 === 9 ? { bad: MALFORMED[(i / 10 | 0) % MALFORMED.length]! } : { text: i % texts.length }));
const answers = await Promise.all(sent.map((s) => post(s.bad ?? JSON.stringify({ Text: texts[s.text!] }))));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const statuses: Record<string, number> = {};
let validOk = 0, validWrong = 0, badRefused = 0, serverErrors = 0;
answers.forEach((a, i) => {
  statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  if (a.status >= 500 || a.status < 0) serverErrors++;
  const s = sent[i]!;
  if (s.bad !== undefined) { if (a.status === 400) badRefused++; }
  else if (a.status === 200 && a.body === reference[s.text!]) validOk++;
  else validWrong++;
});
agent.destroy();
console.log(JSON.stringify({ count, valid: count - sent.filter((s) => s.bad).length, malformed: sent.filter((s) => s.bad).length, validOk, validWrong, badRefused, serverErrors, statuses, seconds, cores: availableParallelism() }));
