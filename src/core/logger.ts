import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs to stderr (stdout stays clean for CLI --json output). */
export function createLogger(level: string, name = 'sagebrush'): Logger {
  return pino({ name, level }, pino.destination(2));
}
