/**
 * The /fhir/R4 JSON body parser (application/fhir+json, application/json). Every failure is an AppError the
 * plugin's error handler turns into an OperationOutcome: a body nested deeper than FHIR_JSON_MAX_DEPTH is refused
 * by a flat scan before parsing (FHIR_RESOURCE_INVALID naming the limit: medplum's validator and the bundle
 * walkers recurse), `__proto__` / `constructor.prototype` keys by fastify's secure parser (JSON_FORBIDDEN_KEY),
 * malformed JSON with JSON.parse's own message (FHIR_RESOURCE_INVALID).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import { FHIR_JSON_MAX_DEPTH, jsonBodyTooDeep } from '../../core/json-depth.ts';
import { forbiddenKeyError } from '../../core/http/json-body.ts';
import { forbiddenJsonKey } from '../../core/http/protocol.ts';

type Done = (err: Error | null, value?: unknown) => void;

export function fhirJsonParser(app: FastifyInstance, maxDepth = FHIR_JSON_MAX_DEPTH): (req: FastifyRequest, body: Buffer, done: Done) => void {
  const secure = app.getDefaultJsonParser('error', 'error');
  return (req, body, done) => {
    if (body.length === 0) return done(null, undefined);
    const deep = jsonBodyTooDeep(body, maxDepth, 'FHIR_RESOURCE_INVALID');
    if (deep) return done(deep);
    const text = body.toString('utf8');
    secure(req, text, (err, value) => {
      if (!err) return done(null, value);
      const key = forbiddenJsonKey(text);
      if (key !== undefined) return done(forbiddenKeyError(key));
      let reason = 'invalid JSON';
      try {
        JSON.parse(text);
      } catch (parseErr) {
        reason = (parseErr as Error).message;
      }
      done(new AppError('FHIR_RESOURCE_INVALID', `The body is not valid JSON: ${reason}`, { problems: [{ field: 'body', problem: 'invalid JSON', fix: 'Send FHIR JSON.' }] }));
    });
  };
}
