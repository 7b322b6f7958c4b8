/**
 * The real Sagebrush server for the endpoint benchmark, in its own process: `createAppContext` + `buildApp` on a
 * temp data dir, the embedded job worker, listening on 127.0.0.1 on a free port (bench/serve.ts).
 * Usage: tsx bench/text.server.ts DATA_DIR — prints `{"port": N}` once listening; on SIGTERM (or when stdin
 * closes, i.e. the parent went away) it closes everything and prints `{"peakRssMb": …}`.
 * SB_SCORING_THREADS: the server's SAGEBRUSH_SCORING_THREADS (unset: the default, cores − 1). SB_LOG_LEVEL: its log level
 * (unset: silent; the logs go to stderr). SB_BENCH_V8_FLAGS: V8 flags set at run time before the app starts
 * (`v8.setFlagsFromString`, e.g. `--single-threaded-gc`), to A/B a flag as a server would set it on start-up.
 */
import { setFlagsFromString } from 'node:v8';

const v8Flags = process.env.SB_BENCH_V8_FLAGS;
if (v8Flags) setFlagsFromString(v8Flags);
const { serveForBench } = await import('./serve.ts');

const threads = process.env.SB_SCORING_THREADS;
const logLevel = process.env.SB_LOG_LEVEL;
await serveForBench('text.server.ts', { ...(threads === undefined ? {} : { scoringThreads: Number(threads) }), ...(logLevel ? { logLevel } : {}) }, { startWorker: true });
