/**
 * Iteration aid for the batch path's cold pass (issue 17): like `text.worker.ts predict MODEL TEST 1`, but prints
 * where the main thread's time goes — scoring its own chunks, writing lines, waiting for the pool — and a CPU
 * profile's top self-time functions of the cold batch (main thread). Not part of `npm run bench`.
 *   tsx bench/text.cold.ts MODEL.bin TEST.csv [--prof]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { TextClassifierModel } from '../src/ml/index.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { scorerOf, type TextPredictor } from '../src/domains/text/predictor.ts';
import { scoreLines } from '../src/domains/text/batch.ts';
import { createScoringPool } from '../src/domains/text/scoringPool.ts';

const [modelFile, testFile, flag] = process.argv.slice(2);
const texts = parseLabeledText(readFileSync(testFile!, 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs.map((d) => d.text);
const pool = createScoringPool(1);
await pool.start();
const session = flag === '--prof' ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}
/** Per-thread CPU (ns, /proc schedstat): under a shared machine's load, CPU time says more than wall time. */
const threadCpu = () => new Map(readdirSync('/proc/self/task').map((t) => [t, Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0])]));
const threadWait = () => new Map(readdirSync('/proc/self/task').map((t) => [t, Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[1])]));
const q0 = threadWait();
/** This thread's time waiting for a CPU (ns): wall − CPU − this = time it had nothing to do. */
const mainWait = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
const w0 = mainWait();
const s0 = threadCpu();
const t0 = performance.now(), c0 = process.cpuUsage();
const file = readFileSync(modelFile!);
const bytes = new SharedArrayBuffer(file.length);
new Uint8Array(bytes).set(file);
const classifier = TextClassifierModel.deserialize(new Uint8Array(bytes), true);
const p: TextPredictor = { modelId: 'b', key: 'b', rule: { mode: classifier.mode, labels: [...classifier.labelNames] }, classifier, bytes };
const tLoad = performance.now();
let localMs = 0, localDocs = 0;
const local = (q: TextPredictor, part: string[]) => { const a = performance.now(); const r = scorerOf(q.classifier).score(part); const d = performance.now() - a; localMs += d; localDocs += part.length; if (process.env.SB_TRACE) process.stderr.write(`[m] ${part.length} docs ${d.toFixed(1)} ms\n`); return r; };
const lines = { count: texts.length, head: (i: number) => `{"File":"test.txt","Line":${i},`, error: () => undefined };
const { jsonl } = await scoreLines({ score: (q, part) => pool.score(q, part), threads: 1, local }, p, texts, lines, { throwIfAborted() {} });
const t1 = performance.now(), cpu = process.cpuUsage(c0), s1 = threadCpu(), waitMs = (mainWait() - w0) / 1e6;
const deltas = [...s1].map(([t, v]) => [t, (v - (s0.get(t) ?? 0)) / 1e6] as const).sort((a, b) => b[1] - a[1]);
const mainMs = deltas.find(([t]) => t === String(process.pid))?.[1] ?? NaN;
const others = deltas.filter(([t]) => t !== String(process.pid));
const q1 = threadWait(), otherWait = others[0] ? ((q1.get(others[0][0]) ?? 0) - (q0.get(others[0][0]) ?? 0)) / 1e6 : NaN;
let top = '';
if (session) {
  const { profile } = await session.post('Profiler.stop');
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas ?? [];
  profile.samples?.forEach((id, i) => { const n = byId.get(id)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); });
  top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${v.toFixed(1).padStart(6)} ms  ${k}`).join('\n');
}
await pool.close();
console.log(`docs/s ${(texts.length / ((t1 - t0) / 1000)).toFixed(0)}  total ${(t1 - t0).toFixed(1)} ms (load ${(tLoad - t0).toFixed(1)})  main local ${localMs.toFixed(1)} ms for ${localDocs} docs  process cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms  thread cpu: main ${mainMs.toFixed(1)} (+ ${waitMs.toFixed(1)} waiting for a CPU, idle ${(t1 - t0 - mainMs - waitMs).toFixed(1)}) busiest other ${others[0]![1].toFixed(1)} (+ ${otherWait.toFixed(1)} waiting, idle ${(t1 - t0 - others[0]![1] - otherWait).toFixed(1)}) rest ${others.slice(1).reduce((a, b) => a + b[1], 0).toFixed(1)} ms  bytes ${jsonl.length}  load avg ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
if (top) console.log(top);
