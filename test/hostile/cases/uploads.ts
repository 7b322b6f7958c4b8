/**
 * The other file uploads: GGUF models (POST /llm/models), text batch-job inputs (POST /text/batch-jobs) and
 * documents to summarize (POST /summarize) — empty, binary, wrongly encoded, lying headers, zip slip.
 */
import { err, json, type HostileCase, type Outcome } from '../case.ts';
import { makeZip } from '../generators.ts';
import type { Env, Reply } from '../harness.ts';

async function form(env: Env, url: string, fields: Record<string, string>, fileName: string, content: Buffer | string): Promise<Reply> {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), fileName);
  const req = new Request('http://localhost/', { method: 'POST', body: f });
  return env.inject({ method: 'POST', url, payload: Buffer.from(await req.arrayBuffer()), headers: { ...env.auth, 'content-type': req.headers.get('content-type')! } });
}

function up(name: string, url: string, fields: Record<string, string>, fileName: string, content: () => Buffer | string, expect: Outcome): HostileCase {
  return { group: 'files', name, send: (env) => form(env, url, fields, fileName, content()), expect };
}

/** Accepted as a job (202) that then fails with one of `codes` (the input is checked by the job, not the route). */
function upJob(name: string, url: string, fields: Record<string, string>, fileName: string, content: () => Buffer | string, codes: string[]): HostileCase {
  return {
    group: 'files',
    name,
    send: (env) => form(env, url, fields, fileName, content()),
    expect: { status: 202 },
    async check(r, env) {
      const id = json<{ job: { id: string } }>(r)?.job.id ?? '';
      const job = await env.main.ctx.queue.wait(id, { timeoutMs: 20_000 });
      const code = (job.error as { code?: string } | null)?.code;
      return job.status === 'failed' && code && codes.includes(code) ? [] : [`job ${id} ended ${job.status} ${code ?? ''}, expected failed ${codes.join('|')}`];
    },
  };
}

/** Accepted as a batch job that succeeds: bad documents become error entries (Comprehend), matched by `output`. */
function batchOk(name: string, fields: Record<string, string>, fileName: string, content: () => Buffer | string, output: RegExp): HostileCase {
  return {
    group: 'files',
    name,
    send: (env) => form(env, BATCH, fields, fileName, content()),
    expect: { status: 202 },
    async check(r, env) {
      const id = json<{ job: { id: string } }>(r)?.job.id ?? '';
      const job = await env.main.ctx.queue.wait(id, { timeoutMs: 20_000 });
      if (job.status !== 'succeeded') return [`job ${id} ended ${job.status} ${JSON.stringify(job.error)}`];
      const out = await env.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${id}/output`, headers: env.auth });
      return out.status === 200 && output.test(out.body) ? [] : [`output ${out.status} does not match ${output}: ${out.body.slice(0, 200)}`];
    },
  };
}

const B = (...parts: Array<string | number[] | Buffer>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p as number[]))));
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b; };
const GGUF_BAD = err(400, 'LLM_GGUF_INVALID');
const LLM = '/api/v1/llm/models';
const BATCH = '/api/v1/text/batch-jobs';
const SUM = '/api/v1/summarize';

export const uploadCases: HostileCase[] = [
  up('GGUF: an empty file', LLM, { name: 'hostile-gguf-1' }, 'm.gguf', () => '', GGUF_BAD),
  up('GGUF: a text file', LLM, { name: 'hostile-gguf-2' }, 'm.gguf', () => 'hello world, not a model\n'.repeat(10), GGUF_BAD),
  up('GGUF: magic only', LLM, { name: 'hostile-gguf-3' }, 'm.gguf', () => 'GGUF', GGUF_BAD),
  up('GGUF: version 99', LLM, { name: 'hostile-gguf-4' }, 'm.gguf', () => B('GGUF', u32(99), u64(0n), u64(0n)), GGUF_BAD),
  up('GGUF: a header claiming 2^63 tensors', LLM, { name: 'hostile-gguf-5' }, 'm.gguf', () => B('GGUF', u32(3), u64(1n << 63n), u64(0n)), GGUF_BAD),
  up('GGUF: a 4 GiB metadata string', LLM, { name: 'hostile-gguf-6' }, 'm.gguf', () => B('GGUF', u32(3), u64(0n), u64(1n), u64(0xffffffffn), 'k'), GGUF_BAD),
  up('GGUF: a path-like model name', LLM, { name: '../../x' }, 'm.gguf', () => B('GGUF', u32(3), u64(0n), u64(0n)), err(400, 'VALIDATION_FAILED')),
  up('batch input: an unknown model', BATCH, { model: 'no-such-model', inputFormat: 'one-doc-per-line' }, 'in.txt', () => 'hello\n', err(404, 'MODEL_NOT_FOUND')),
  up('batch input: an unknown input format', BATCH, { model: 'ctl-model', inputFormat: 'xml' }, 'in.txt', () => 'hello\n', err(400, 'VALIDATION_FAILED')),
  up('batch input: an empty file', BATCH, { model: 'ctl-model', inputFormat: 'one-doc-per-line' }, 'in.txt', () => '', err(400, 'FILE_EMPTY')),
  batchOk('batch input: binary but valid UTF-8 is classified as text', { model: 'ctl-model', inputFormat: 'one-doc-per-line' }, 'in.txt', () => B([0x7f, 0x45, 0x4c, 0x46], Buffer.alloc(64)), /"Classes"/),
  batchOk('batch input: invalid UTF-8 is an INVALID_ENCODING entry', { model: 'ctl-model', inputFormat: 'one-doc-per-line' }, 'in.txt', () => B('caf', [0xe9], '\nrefund my invoice\n'), /INVALID_ENCODING/),
  upJob('batch input: a zip slip in one-doc-per-file', BATCH, { model: 'ctl-model', inputFormat: 'one-doc-per-file' }, 'in.zip', () => makeZip([{ name: '../../evil.txt', data: 'hello' }]), ['ARCHIVE_UNSAFE']),
  batchOk('batch input: a symlink entry is read as its stored text, never followed', { model: 'ctl-model', inputFormat: 'one-doc-per-file' }, 'in.zip', () => makeZip([{ name: 'a.txt', data: '/etc/passwd', symlink: true }]), /^(?![\s\S]*root:)[\s\S]*"File":"a\.txt"/),
  up('summarize: an empty file', SUM, {}, 'doc.txt', () => '', err(400, 'FILE_EMPTY')),
  upJob('summarize: binary', SUM, {}, 'doc.txt', () => B([0x89, 0x50, 0x4e, 0x47], Buffer.alloc(64)), ['FILE_BINARY', 'FILE_ENCODING']),
  upJob('summarize: invalid UTF-8', SUM, {}, 'doc.txt', () => B('caf', [0xe9], ' au lait\n'), ['FILE_ENCODING']),
  up('summarize: an unknown option field', SUM, { evil: '1' }, 'doc.txt', () => 'hello world', err(400, 'VALIDATION_FAILED')),
];
