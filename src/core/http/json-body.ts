/**
 * The API's `application/json` body parser: fastify's secure parser (prototype-poisoning protection stays on)
 * behind a flat nesting-depth scan, so a body nested 100,000 deep is refused with JSON_TOO_DEEP before anything
 * recursive (zod, JSON.stringify, FHIR/ELM walkers) sees it, and a refused `__proto__` / `constructor.prototype`
 * key is told apart from malformed JSON (JSON_FORBIDDEN_KEY). Install before routes register; every plugin
 * without its own JSON parser (the API, /cds-services) inherits it.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { API_JSON_MAX_DEPTH, jsonBodyTooDeep } from '../json-depth.ts';
import { forbiddenJsonKey } from './protocol.ts';

/**
 * The text each parsed JSON body object was parsed from, while the object lives: a consumer that stores the request
 * as it came (the CDS audit log) writes this text instead of serialising the object again (for a CDS call with its
 * prefetch, JSON.stringify cost ~5 % of the event loop's time per call). The text parses back to the same value.
 */
const RAW_JSON = new WeakMap<object, string>();

/** The JSON text `body` was parsed from by this parser, or undefined (built in code, or not a JSON body). */
export function rawJsonOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? RAW_JSON.get(body) : undefined;
}

export function installJsonBodyParser(app: FastifyInstance, maxDepth = API_JSON_MAX_DEPTH): void {
  const secure = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buf = body as Buffer;
    const deep = jsonBodyTooDeep(buf, maxDepth);
    if (deep) return done(deep, undefined);
    const text = buf.toString('utf8');
    secure(request, text, (err, value) => {
      const key = err && (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? forbiddenJsonKey(text) : undefined;
      if (!err && typeof value === 'object' && value !== null) RAW_JSON.set(value, text);
      if (key === undefined) return done(err, value);
      done(forbiddenKeyError(key), undefined);
    });
  });
}

/** JSON_FORBIDDEN_KEY for a key path from {@link forbiddenJsonKey}. */
export function forbiddenKeyError(key: string): AppError {
  const name = key.endsWith('.prototype') ? 'constructor.prototype' : '__proto__';
  return new AppError('JSON_FORBIDDEN_KEY', `The JSON body is refused: it has a key named ${name} (at ${key}), which could poison object prototypes. Rename or remove that key.`, {
    problems: [{ field: key, problem: `a key named ${name} is not accepted`, fix: 'Rename or remove the key; no API field is called __proto__ or constructor.' }],
  });
}
