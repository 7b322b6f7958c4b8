/**
 * Maps any thrown value to an RFC 9457 problem+json body. AppErrors keep their code; fastify's own
 * errors (validation, body too large, unsupported media type, bad URL, over-long path parameter) get the matching code; anything else is
 * a generic 500 whose detail is only the request id (the real error goes to the log).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../errors.ts';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  requestId?: string;
  problems?: Problem[];
  [extra: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://sagebrush.dev/errors#';

/** The router's limit on one path parameter (app.ts passes it to fastify): rule names are up to 200 characters. */
export const MAX_PARAM_LENGTH = 256;

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

export function toProblem(err: unknown, requestId: string, url?: string): { body: ProblemBody; internal: boolean } {
  const appError = normalise(err);
  const internal = appError === undefined;
  const e = appError ?? new AppError('INTERNAL', `Internal error; quote request id ${requestId} when reporting it.`);
  const info = ERROR_CODES[e.code];
  const body: ProblemBody = {
    ...(e.extra ?? {}),
    type: `${PROBLEM_TYPE_BASE}${e.code}`,
    title: info.title,
    status: info.status,
    code: e.code,
    detail: e.message,
    requestId,
  };
  if (url) body.instance = url;
  if (e.problems && e.problems.length > 0) body.problems = e.problems;
  return { body, internal };
}

/**
 * fastify's `frameworkErrors` option: errors the router raises before any route, hook or error handler runs
 * (a URL with a bad percent-escape, a path parameter over `maxParamLength`). Without it fastify answers with
 * its own JSON (`FST_ERR_BAD_URL`); with it they get the same problem+json as every other error.
 */
export function frameworkErrorReply(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { body, internal } = toProblem(err, request.id, request.url.length > 200 ? `${request.url.slice(0, 200)}…` : request.url);
  if (internal) request.log.error({ err, requestId: request.id }, 'framework error');
  return reply.status(body.status).header('x-request-id', request.id).type('application/problem+json').send(body);
}

function normalise(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const fe = err as FastifyLikeError;
  if (fe && Array.isArray(fe.validation)) {
    const where = fe.validationContext ?? 'body';
    const problems: Problem[] = fe.validation.map((v) => ({
      field: `${where}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}`,
      problem: v.message ?? 'invalid value',
      fix: 'Send a value that matches the API schema (see /api/openapi.json).',
    }));
    return new AppError('VALIDATION_FAILED', `Request ${where} is invalid: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
  }
  switch (fe?.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', `${fe.message}. Upload a smaller file or raise SAGEBRUSH_MAX_UPLOAD_BYTES.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', fe.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('BAD_REQUEST', `${fe.message}. Send a valid JSON body.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', `${fe.message}. Send a Content-Length equal to the body's size in bytes (or use chunked encoding).`);
    case 'FST_ERR_BAD_URL':
      // The message quotes the whole path: keep it short, it is attacker-chosen.
      return new AppError('BAD_REQUEST', 'The URL has a malformed percent-escape or an invalid UTF-8 sequence (e.g. %zz, %c0%af).', {
        problems: [{ field: 'url', problem: 'a percent-escape does not decode to valid UTF-8', fix: 'Percent-encode each byte of the UTF-8 name as %XX with two hex digits (encodeURIComponent does this).' }],
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URL_TOO_LONG', `A name or id in the URL is longer than the ${MAX_PARAM_LENGTH} characters the server accepts.`, {
        problems: [{ field: 'url', problem: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`, fix: 'Use the resource id or a shorter name; no stored name or id is that long.' }],
      });
    default:
      break;
  }
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ErrorCode = fe.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
    return new AppError(code, fe.message);
  }
  return undefined;
}
