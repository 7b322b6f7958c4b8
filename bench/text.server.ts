/**
 * The real Sagebrush server for the endpoint benchmark, in its own process: `createAppContext` + `buildApp` on a
 * temp data dir, the embedded job worker, listening on 127.0.0.1 on a free port (bench/serve.ts).
 * Usage: tsx bench/text.server.ts DATA_DIR — prints `{"port": N}` once listening; on SIGTERM (or when stdin
 * closes, i.e. the parent went away) it closes everything and prints `{"peakRssMb": …}`.
 * SB_SCORING_THREADS: the server's SAGEBRUSH_SCORING_THREADS (unset: the default, cores − 1). SB_LOG_LEVEL: its log level
 * (unset: silent; the logs go to stderr).
 */
import { serveForBench } from './serve.ts';

const threads = process.env.SB_SCORING_THREADS;
const logLevel = process.env.SB_LOG_LEVEL;
await serveForBench('text.server.ts', { ...(threads === undefined ? {} : { scoringThreads: Number(threads) }), ...(logLevel ? { logLevel } : {}) }, { startWorker: true });
