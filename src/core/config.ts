/**
 * One validated, frozen configuration object. Sources, lowest to highest precedence:
 * built-in defaults < config file (SAGEBRUSH_CONFIG, JSON or YAML) < SAGEBRUSH_* environment < CLI flags.
 * A bad value stops start-up with one message listing every bad key and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { parseApiToken } from './apiTokens.ts';

const urlWithScheme = (schemes: string[]) =>
  z.string().refine((v) => schemes.some((s) => v.startsWith(`${s}:`)), {
    message: `must start with one of: ${schemes.map((s) => `${s}:`).join(', ')}`,
  });

const sizeBytes = z.coerce.number().int().positive();

/** A CDS Hooks client (EHR) allowed to call /cds-services: its JWT issuer and where its public keys are. */
export const cdsClientSchema = z
  .object({
    /** The JWT `iss` this client signs with (exact match). */
    iss: z.string().min(1),
    name: z.string().optional(),
    /** JWKS URL configured out of band. */
    jwksUrl: z.string().url().optional(),
    /** `jku` header values accepted from this client (the JWKS is fetched from there). */
    jku: z.array(z.string().url()).default([]),
    /** Inline public keys ({ keys: [JWK…] }). */
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    /** Accepted signature algorithms; never `none` or HMAC (CDS Hooks §Security). */
    algorithms: z.array(z.enum(['ES384', 'RS384', 'ES256', 'RS256', 'ES512', 'RS512', 'PS384'])).min(1).default(['ES384', 'RS384']),
  })
  .refine((c) => c.jwksUrl !== undefined || c.jwks !== undefined || c.jku.length > 0, { message: 'a CDS client needs jwksUrl, jku or jwks (its public keys)' });

export const configSchema = z.object({
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** sqlite:PATH (default: sqlite file in dataDir) or postgres://user:pass@host:port/db */
  databaseUrl: urlWithScheme(['sqlite', 'postgres', 'postgresql']),
  /** file:PATH (default: dataDir/artifacts) or s3://bucket/prefix */
  artifactsUrl: urlWithScheme(['file', 's3']),
  /** embedded (in-process, durable in the metadata DB) or redis://host:port for BullMQ */
  queueUrl: z.union([z.literal('embedded'), urlWithScheme(['redis', 'rediss'])]),
  /** BullMQ key prefix on Redis, so several installations (or test runs) can share one Redis. */
  queuePrefix: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').default('sagebrush'),
  /** The feature store's online store (latest value per key): `db` (the metadata DB) or redis://host:port. */
  featuresOnlineUrl: z.union([z.literal('db'), urlWithScheme(['redis', 'rediss'])]).default('db'),
  /** Comma-separated bearer tokens, each `token` or `name:token` (the name identifies the caller); empty means the API is open (local use). */
  apiTokens: z.array(z.string().refine((e) => parseApiToken(e, 0).token.length >= 16, 'each token must be at least 16 characters (after its `name:`)')),
  /** Custom endpoint for S3-compatible stores (MinIO, moto, Ceph). */
  s3Endpoint: z.string().url().optional(),
  s3Region: z.string().min(1),
  s3ForcePathStyle: z.boolean(),
  maxUploadBytes: sizeBytes,
  /** Largest total uncompressed size accepted from one archive (zip-bomb guard). */
  maxArchiveBytes: sizeBytes,
  /** How many jobs the in-process worker runs at once. */
  workerConcurrency: z.coerce.number().int().min(0).max(64),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Whether `serve` also runs an in-process worker. */
  embeddedWorker: z.boolean(),
  /** Where `serve` / `worker` run job handlers: a worker thread (the event loop stays free) or inline on the main thread. */
  workerMode: z.enum(['thread', 'inline']),
  /** Threads that score text for endpoints and batch jobs; 0 scores inline on the event loop. Default: cores − 1, at least 1. */
  scoringThreads: z.coerce.number().int().min(0).max(256).optional(),
  /** Most documents waiting for the scoring threads per model; more is refused with 429 (SCORING_QUEUE_FULL). */
  scoringQueue: z.coerce.number().int().min(1).max(1_000_000),
  /** CDS Hooks clients (EHRs) whose JWTs are accepted; JSON in SAGEBRUSH_CDS_CLIENTS. */
  cdsClients: z.array(cdsClientSchema),
  /** Require a client JWT on /cds-services; default: on when cdsClients is not empty. Off only for local development. */
  cdsRequireJwt: z.boolean().optional(),
  /** Browser origins allowed to call /cds-services (CORS); empty: none. */
  cdsCorsOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like https://ehr.example.org (no path)')),
  /** This server's public base URL, e.g. https://cds.example.org; JWT `aud` is {this}/cds-services/{id}. Default: from the request. */
  cdsPublicUrl: z.string().url().refine((v) => !v.endsWith('/'), { message: 'no trailing slash' }).optional(),
  /** Payer name shown as card source when a Coverage names none. */
  cdsPayerName: z.string().min(1),
  /** Read the embedded FHIR store when a hook request has no fhirServer (local development). */
  cdsEmbeddedFhir: z.boolean(),
  /** Origins a hook's fhirServer may use over http or on private/loopback addresses (development FHIR servers); empty: https to public addresses only. */
  cdsFhirServerAllow: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like http://127.0.0.1:8081 (no path)')),
  /** Threads that evaluate the CQL payer rules for CDS hooks; 0 evaluates inline on the event loop. Default: cores − 1. */
  cqlThreads: z.coerce.number().int().min(0).max(64).optional(),
  /** Rule evaluations that may wait for those threads; more are refused with 429 (RATE_LIMITED). Default: 128 per thread. */
  cqlQueue: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** Origins webhook URLs may use over http or on private/loopback addresses (a receiver on this network); empty: https to public addresses only. */
  webhookAllow: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin must look like http://127.0.0.1:9000 (no path)')),
  /** Pipeline command steps run scripts from this folder only (default: <dataDir>/pipeline-scripts). */
  pipelineScriptsDir: z.string().min(1).optional(),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export type ConfigInput = Partial<{ [K in keyof z.infer<typeof configSchema>]: unknown }>;

const ENV_KEYS: Record<string, keyof z.infer<typeof configSchema>> = {
  SAGEBRUSH_DATA_DIR: 'dataDir',
  SAGEBRUSH_HOST: 'host',
  SAGEBRUSH_PORT: 'port',
  SAGEBRUSH_DATABASE_URL: 'databaseUrl',
  SAGEBRUSH_ARTIFACTS_URL: 'artifactsUrl',
  SAGEBRUSH_QUEUE_URL: 'queueUrl',
  SAGEBRUSH_QUEUE_PREFIX: 'queuePrefix',
  SAGEBRUSH_FEATURES_ONLINE_URL: 'featuresOnlineUrl',
  SAGEBRUSH_API_TOKENS: 'apiTokens',
  SAGEBRUSH_S3_ENDPOINT: 's3Endpoint',
  SAGEBRUSH_S3_REGION: 's3Region',
  SAGEBRUSH_S3_FORCE_PATH_STYLE: 's3ForcePathStyle',
  SAGEBRUSH_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  SAGEBRUSH_MAX_ARCHIVE_BYTES: 'maxArchiveBytes',
  SAGEBRUSH_WORKER_CONCURRENCY: 'workerConcurrency',
  SAGEBRUSH_LOG_LEVEL: 'logLevel',
  SAGEBRUSH_EMBEDDED_WORKER: 'embeddedWorker',
  SAGEBRUSH_WORKER_MODE: 'workerMode',
  SAGEBRUSH_SCORING_THREADS: 'scoringThreads',
  SAGEBRUSH_SCORING_QUEUE: 'scoringQueue',
  SAGEBRUSH_CDS_CLIENTS: 'cdsClients',
  SAGEBRUSH_CDS_REQUIRE_JWT: 'cdsRequireJwt',
  SAGEBRUSH_CDS_CORS_ORIGINS: 'cdsCorsOrigins',
  SAGEBRUSH_CDS_PUBLIC_URL: 'cdsPublicUrl',
  SAGEBRUSH_CDS_PAYER_NAME: 'cdsPayerName',
  SAGEBRUSH_CDS_EMBEDDED_FHIR: 'cdsEmbeddedFhir',
  SAGEBRUSH_CDS_FHIR_ALLOW: 'cdsFhirServerAllow',
  SAGEBRUSH_CQL_THREADS: 'cqlThreads',
  SAGEBRUSH_CQL_QUEUE: 'cqlQueue',
  SAGEBRUSH_WEBHOOK_ALLOW: 'webhookAllow',
  SAGEBRUSH_PIPELINE_SCRIPTS_DIR: 'pipelineScriptsDir',
};

export const CONFIG_ENV_VARS = Object.keys(ENV_KEYS);

function parseBool(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return v;
}

function parseList(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseJsonValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v; // reported by the schema as "expected array"
  }
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (key === 'apiTokens') out[key] = parseList(raw);
    else if (key === 's3ForcePathStyle' || key === 'embeddedWorker') out[key] = parseBool(raw);
    else if (key === 'cdsRequireJwt' || key === 'cdsEmbeddedFhir') out[key] = parseBool(raw);
    else if (key === 'cdsCorsOrigins' || key === 'cdsFhirServerAllow' || key === 'webhookAllow') out[key] = parseList(raw);
    else if (key === 'cdsClients') out[key] = parseJsonValue(raw);
    else out[key] = raw;
  }
  return out as ConfigInput;
}

/** yaml loads only for a YAML config file (~0.1 s of start-up that most runs, the CLI's above all, do not need). */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

function fromFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || typeof parsed !== 'object') throw new Error('top level must be an object');
    return parsed as ConfigInput;
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Config file ${path} is not valid JSON/YAML: ${(err as Error).message}`);
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Highest precedence, e.g. from CLI flags (--port, --data-dir). */
  overrides?: ConfigInput;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileInput = env.SAGEBRUSH_CONFIG ? fromFile(resolve(cwd, env.SAGEBRUSH_CONFIG)) : {};
  const merged: Record<string, unknown> = { ...fileInput, ...fromEnv(env), ...stripUndefined(options.overrides ?? {}) };
  if (typeof merged.apiTokens === 'string') merged.apiTokens = parseList(merged.apiTokens);
  if (typeof merged.cdsCorsOrigins === 'string') merged.cdsCorsOrigins = parseList(merged.cdsCorsOrigins);
  if (typeof merged.cdsFhirServerAllow === 'string') merged.cdsFhirServerAllow = parseList(merged.cdsFhirServerAllow);
  if (typeof merged.webhookAllow === 'string') merged.webhookAllow = parseList(merged.webhookAllow);
  const dataDir = resolve(cwd, typeof merged.dataDir === 'string' && merged.dataDir ? merged.dataDir : './.sagebrush');
  const candidate = {
    host: '127.0.0.1',
    port: 8080,
    databaseUrl: `sqlite:${resolve(dataDir, 'sagebrush.db')}`,
    artifactsUrl: `file:${resolve(dataDir, 'artifacts')}`,
    queueUrl: 'embedded',
    apiTokens: [],
    s3Region: 'us-east-1',
    s3ForcePathStyle: true,
    maxUploadBytes: 1024 * 1024 * 1024,
    maxArchiveBytes: 4 * 1024 * 1024 * 1024,
    workerConcurrency: 2,
    logLevel: 'info',
    embeddedWorker: true,
    workerMode: 'thread',
    scoringQueue: 4096,
    cdsClients: [],
    cdsCorsOrigins: [],
    cdsPayerName: 'Sagebrush Health Plan',
    cdsEmbeddedFhir: true,
    cdsFhirServerAllow: [],
    webhookAllow: [],
    ...merged,
    dataDir,
  };
  const result = configSchema.safeParse(candidate);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      const envName = Object.entries(ENV_KEYS).find(([, k]) => k === issue.path[0])?.[0];
      return `  - ${key}${envName ? ` (${envName})` : ''}: ${issue.message}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}`, {
      problems: result.error.issues.map((issue) => ({
        field: issue.path.join('.'),
        problem: issue.message,
        fix: 'Correct the value in the environment, config file or command-line flag.',
      })),
    });
  }
  return Object.freeze({ ...result.data, apiTokens: Object.freeze([...result.data.apiTokens]) as string[] });
}

function stripUndefined(o: ConfigInput): ConfigInput {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ConfigInput;
}
