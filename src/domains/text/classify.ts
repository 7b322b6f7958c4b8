/**
 * The `text-classifier` model kind: its runtime (the text service's shared model cache) and its real-time
 * invocation route, `POST /endpoints/:name/classify` in Comprehend's ClassifyDocument shape — `Text` (one document,
 * answered as `{Classes | Labels, …}`) or `TextList` (up to 25, answered as `{ResultList, ErrorList}` with one
 * TEXT_INVALID entry per empty or oversized document, the others still classified). Comprehend's real-time limits:
 * 10 KB per document, 25 documents per call; more goes to a batch job.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError, type Problem } from '../../core/errors.ts';
import { invocationOptions, type InvocationContext, type ModelKindDefinition } from '../models/kinds.ts';
import type { CancelSignal } from './batcher.ts';
import type { TextService } from './service.ts';
import { TEXT_MODEL_KIND } from './service.ts';

export const CLASSIFY_MAX_BATCH = 25;
export const CLASSIFY_MAX_TEXT_BYTES = 10 * 1024;

const classifyBody = z
  .object({
    Text: z.string().optional(),
    TextList: z.array(z.string()).optional(),
  })
  .refine((b) => (b.Text === undefined) !== (b.TextList === undefined), { message: 'send exactly one of "Text" (one document) or "TextList" (up to 25 documents)' });

type ClassifyBody = z.infer<typeof classifyBody>;

/** One problem per empty or oversized document (row = its index). */
function documentProblems(body: ClassifyBody, texts: string[]): Array<Problem & { row: number }> {
  return texts.flatMap((t, i) => {
    const field = body.Text !== undefined ? 'Text' : `TextList[${i}]`;
    if (t.trim() === '') return [{ row: i, field, problem: 'the text is empty', fix: 'Send non-empty text.' }];
    const bytes = Buffer.byteLength(t, 'utf8');
    if (bytes > CLASSIFY_MAX_TEXT_BYTES) return [{ row: i, field, problem: `the text is ${bytes} bytes, over the ${CLASSIFY_MAX_TEXT_BYTES}-byte real-time limit`, fix: 'Shorten the text or classify it with a batch job.' }];
    return [];
  });
}

/**
 * Aborts when the client closes the connection before the answer is sent (its request then leaves the scoring queue).
 * One plain object and one 'close' listener per request, not an AbortController: creating an AbortSignal (an
 * EventTarget) and listening on it was about 6 % of the event loop's CPU under 50 clients (issue 17 profile).
 */
class ClientGone implements CancelSignal {
  aborted = false;
  private listener: (() => void) | undefined;

  constructor(res: ServerResponse) {
    res.on('close', () => {
      if (res.writableFinished || this.aborted) return;
      this.aborted = true;
      const listener = this.listener;
      this.listener = undefined;
      listener?.();
    });
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined;
  }
}

const clientGone = (reply: FastifyReply): CancelSignal => new ClientGone(reply.raw);

async function classifyRoutes(app: FastifyInstance, ctx: InvocationContext, text: Pick<TextService, 'classifyJson'>): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post('/endpoints/:name/classify', {
    ...invocationOptions(ctx, 'Classify text (Comprehend ClassifyDocument shape; TextList for up to 25 documents)', { body: classifyBody }),
    // 429 SCORING_QUEUE_FULL says when to come back
    onError: async (_req, reply, err) => {
      if (isAppError(err) && typeof err.extra?.retryAfter === 'number') reply.header('retry-after', String(err.extra.retryAfter));
    },
  }, async (req, reply) => {
    const { model } = await ctx.served(req.params.name, 'classify');
    const texts = req.body.Text !== undefined ? [req.body.Text] : req.body.TextList!;
    if (texts.length === 0 || texts.length > CLASSIFY_MAX_BATCH) {
      throw new AppError('VALIDATION_FAILED', `TextList has ${texts.length} documents; send 1 to ${CLASSIFY_MAX_BATCH}.`, { problems: [{ field: 'TextList', problem: `${texts.length} documents`, fix: `Send at most ${CLASSIFY_MAX_BATCH} documents per call, or use a batch job for more.` }] });
    }
    const problems = documentProblems(req.body, texts);
    if (req.body.Text !== undefined && problems.length > 0) throw new AppError('VALIDATION_FAILED', problems[0]!.problem, { problems });
    const bad = new Set(problems.map((p) => p.row));
    // each result comes as its JSON (what JSON.stringify of the result object gives), so the answer is sent as is
    const results = await text.classifyJson(model, problems.length === 0 ? texts : texts.filter((_, i) => !bad.has(i)), clientGone(reply));
    reply.type('application/json; charset=utf-8');
    if (req.body.Text !== undefined) return reply.send(results[0]);
    let k = 0;
    const resultList = texts.flatMap((_, i) => (bad.has(i) ? [] : [`{"Index":${i},${results[k++]!.slice(1)}`]));
    const errorList = problems.map((p) => ({ Index: p.row, ErrorCode: 'TEXT_INVALID', ErrorMessage: `${p.problem}. ${p.fix}` }));
    return reply.send(`{"ResultList":[${resultList.join(',')}],"ErrorList":${JSON.stringify(errorList)}}`);
  });
}

/** The model-kind table's entry for text classifiers (registered in app/services.ts). */
export function textClassifierKind(text: Pick<TextService, 'runtime' | 'classifyJson'>): ModelKindDefinition {
  return {
    kind: TEXT_MODEL_KIND,
    label: 'text classifier',
    runtime: text.runtime,
    invocations: [{ method: 'POST', path: 'classify', summary: 'Classify text (Comprehend ClassifyDocument shape; TextList for up to 25 documents)' }],
    routes: (app, ctx) => classifyRoutes(app, ctx, text),
  };
}
