/**
 * Names from requests: dataset names and uploaded file names (`../`, `/`, NUL, U+202E, emoji, CJK, 10,000
 * characters, reserved words), model / endpoint / rule / artifact names in URLs, FHIR ids. A bad name is refused
 * with VALIDATION_FAILED or answered 404; a file name is only ever data: the stored artifact key is sanitised,
 * and the download sends an RFC 6266/5987 Content-Disposition and exactly the bytes it announces.
 */
import { err, json, ok, type HostileCase, type Outcome } from '../case.ts';
import { labelled } from '../generators.ts';
import type { Env, Reply } from '../harness.ts';

const V = err(400, 'VALIDATION_FAILED');

function datasetName(label: string, name: string, expect: Outcome = V): HostileCase {
  return { group: 'names', name: `dataset name: ${label}`, send: (env) => env.upload('named.csv', labelled(), { name }), expect };
}

/** After the upload, download the original file: 200, Content-Length = body, an ASCII-safe Content-Disposition. */
const download = async (r: Reply, env: Env): Promise<string[]> => {
  const up = json<{ dataset: { id: string }; version: { sizeBytes: number; meta?: unknown } }>(r);
  if (!up) return ['no upload body'];
  const res = await env.raw('GET', `/api/v1/datasets/${up.dataset.id}/versions/1/file`, env.auth);
  const problems: string[] = [];
  if (res.status !== 200) problems.push(`download answered ${res.status}: ${res.body.slice(0, 200)}`);
  const cd = String(res.headers['content-disposition'] ?? '');
  if (!/^attachment;/.test(cd)) problems.push(`Content-Disposition ${JSON.stringify(cd)}`);
  if (/[^\x20-\x7e]/.test(cd)) problems.push(`Content-Disposition has bytes outside printable ASCII: ${JSON.stringify(cd)}`);
  if (!/filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+/.test(cd)) problems.push(`no RFC 5987 filename*: ${JSON.stringify(cd)}`);
  if (Buffer.byteLength(res.body) !== up.version.sizeBytes) problems.push(`body ${Buffer.byteLength(res.body)} bytes, file ${up.version.sizeBytes}`);
  if (res.headers['x-injected']) problems.push('a header was injected through the file name');
  return problems;
};

/** The stored artifact key has no path separators or dot segments from the file name. */
const safeKey = async (r: Reply, env: Env): Promise<string[]> => {
  const up = json<{ version: { id: string } }>(r);
  const row = await env.main.ctx.db.selectFrom('dataset_versions').select(['artifact_key']).where('id', '=', up?.version.id ?? '').executeTakeFirst();
  const key = String((row as { artifact_key?: string } | undefined)?.artifact_key ?? '');
  const last = key.split('/').pop() ?? '';
  return /^datasets\/[^/]+\/v\d+\/[A-Za-z0-9._-]+$/.test(key) && !last.startsWith('.') ? [] : [`unsafe artifact key ${JSON.stringify(key)}`];
};

function fileName(label: string, name: string): HostileCase {
  return {
    group: 'names',
    name: `file name: ${label}`,
    send: (env) => env.upload(name, labelled(), { name: `fn-${label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)}` }),
    expect: ok(201),
    check: async (r, env) => [...(await safeKey(r, env)), ...(await download(r, env))],
  };
}

function urlName(label: string, method: string, target: string, expect: Outcome): HostileCase {
  return { group: 'names', name: label, send: (env) => env.raw(method, target, env.auth), expect };
}

function llmPath(label: string, path: (env: Env) => string, expect: Outcome): HostileCase {
  return {
    group: 'names',
    name: `server file path: ${label}`,
    send: (env) => env.inject({ method: 'POST', url: '/api/v1/llm/models', headers: env.auth, payload: { path: path(env), name: 'hostile-llm' } }),
    expect,
    check: (r) => (/root:|PATH=|SQLite format|HOME=/.test(r.body) ? [`the refusal echoes the file's content: ${r.body.slice(0, 200)}`] : []),
  };
}


export const nameCases: HostileCase[] = [
  datasetName('../escape', '../escape'),
  datasetName('a/b', 'a/b'),
  datasetName('a\\b', 'a\\b'),
  datasetName('/etc/passwd', '/etc/passwd'),
  datasetName('NUL inside', 'abc\0def'),
  datasetName('U+202E override', 'abc\u202Egpj.exe'),
  datasetName('emoji', 'cats-🐱'),
  datasetName('10,000 characters', 'n'.repeat(10_000)),
  datasetName('101 characters', 'n'.repeat(101)),
  datasetName('empty', '', V),
  datasetName('only a dot', '.'),
  datasetName('dot-dot', '..'),
  datasetName('leading dash', '-rf'),
  datasetName('spaces', 'my dataset'),
  datasetName('percent-encoded slash', 'a%2fb'),
  datasetName('CRLF', 'name\r\nX-Injected: 1'),
  { group: 'names', name: "dataset name: another dataset's id", send: (env) => env.upload('named.csv', labelled(), { name: env.controls[0]!.id }), expect: V },
  datasetName('a plain new name (control)', 'fresh-name-1', ok(201)),
  datasetName('reserved word "latest" is just a name', 'latest', ok(201)),
  datasetName('Windows device name CON is just a name', 'CON', ok(201)),
  datasetName('"api" is just a name', 'api', ok(201)),
  fileName('../../etc/passwd.csv', '../../etc/passwd.csv'),
  fileName('absolute /tmp/x.csv', '/tmp/x.csv'),
  fileName('backslashes ..\\..\\win.csv', '..\\..\\win.csv'),
  fileName('NUL in the name', 'evil\0.csv'),
  fileName('U+202E in the name', 'invoice\u202Evsc.exe.csv'),
  fileName('emoji', 'cats 🐱 data.csv'),
  fileName('CJK', '数据集.csv'),
  fileName('Cyrillic', 'данные.csv'),
  fileName('Latin-1 accents', 'café-été.csv'),
  fileName('quotes and backslash', 'a"b\\c\'d.csv'),
  fileName('CR LF and a header', 'a\r\nX-Injected: 1.csv'),
  fileName('semicolon and filename=', 'x.csv; filename=evil.exe'),
  fileName('percent signs', '100%25 real %2e%2e.csv'),
  fileName('10,000 characters', `${'f'.repeat(10_000)}.csv`),
  fileName('only an extension', '.csv'),
  fileName('leading dots', '...hidden.csv'),
  fileName('reserved device name', 'CON.csv'),
  fileName('trailing dot and space', 'data.csv. '),
  fileName('zero-width and combining characters', 'd\u200Ba\u0301ta.csv'),
  urlName('model name ../ in a URL', 'GET', '/api/v1/models/..%2F..%2Fetc', err(404, 'MODEL_NOT_FOUND')),
  urlName('artifact name reaching the database file', 'GET', '/api/v1/models/ctl-model/versions/1/artifacts/..%2F..%2F..%2Fsagebrush.db', err(404, 'NOT_FOUND')),
  urlName('artifact name ../../ (raw)', 'GET', '/api/v1/models/ctl-model/versions/1/artifacts/../../../../sagebrush.db', err(404, 'ROUTE_NOT_FOUND')),
  urlName('artifact name absolute', 'GET', '/api/v1/models/ctl-model/versions/1/artifacts/%2Fetc%2Fpasswd', err(404, 'NOT_FOUND')),
  urlName('artifact name with NUL', 'GET', '/api/v1/models/ctl-model/versions/1/artifacts/model.bin%00.txt', err(404, 'NOT_FOUND')),
  urlName('endpoint name ../', 'GET', '/api/v1/endpoints/..%2F..%2Fx', err(404, 'ENDPOINT_NOT_FOUND')),
  { ...urlName('endpoint name 10,000 characters', 'GET', `/api/v1/endpoints/${'e'.repeat(10_000)}`, err(414, 'URL_TOO_LONG')), check: (r) => (/\b256\b/.test(r.body) ? [] : [`the message does not name the real limit (routerOptions.maxParamLength 256 in src/http/app.ts): ${r.body.slice(0, 240)}`]) },
  urlName('dataset name ../ in a URL', 'GET', '/api/v1/datasets/..%2Fctl-tickets', err(404, 'DATASET_NOT_FOUND')),
  urlName('dataset name with NUL in a URL', 'GET', '/api/v1/datasets/ctl%00tickets', err(404, 'DATASET_NOT_FOUND')),
  urlName('summarize file ../', 'GET', '/api/v1/summarize/job_x/files/..%2F..%2Fsagebrush.db', V),
  urlName('batch output of an unknown job', 'GET', '/api/v1/text/batch-jobs/..%2F..%2Fx/output', err(404, 'JOB_NOT_FOUND')),
  urlName('images predictions.csv of ../', 'GET', '/api/v1/images/batch/..%2F..%2Fx/predictions.csv', err(404, 'JOB_NOT_FOUND')),
  urlName('rule name ../', 'GET', '/api/v1/rules/..%2F..%2Fx', err(404, 'RULE_NOT_FOUND')),
  urlName('rule name 201 characters', 'GET', `/api/v1/rules/${'r'.repeat(201)}`, V),
  urlName('delete a rule named ../', 'DELETE', '/api/v1/rules/..%2Fpolicy', err(404, 'RULE_NOT_FOUND')),
  urlName('job id ../', 'GET', '/api/v1/jobs/..%2F..%2Fx', err(404, 'JOB_NOT_FOUND')),
  urlName('FHIR id ../', 'GET', '/fhir/R4/Patient/..%2FCoverage', err(404, 'FHIR_NOT_FOUND')),
  urlName('FHIR id of 65 characters', 'GET', `/fhir/R4/Patient/${'p'.repeat(65)}`, err(404, 'FHIR_NOT_FOUND')),
  urlName('FHIR type that is not a type', 'GET', '/fhir/R4/..%2Fetc/1', err(404, 'FHIR_RESOURCE_TYPE_UNKNOWN')),
  urlName('FHIR type __proto__', 'GET', '/fhir/R4/__proto__/1', err(404, 'FHIR_RESOURCE_TYPE_UNKNOWN')),
  urlName('dataset named __proto__', 'GET', '/api/v1/datasets/__proto__', err(404, 'DATASET_NOT_FOUND')),
  urlName('model named constructor', 'GET', '/api/v1/models/constructor', err(404, 'MODEL_NOT_FOUND')),
  // The one route that takes a server file path (POST /llm/models {path}: register a GGUF in place): token holders
  // only; a file that is not a GGUF is refused without echoing any of its bytes.
  llmPath('/etc/passwd', () => '/etc/passwd', err(400, 'LLM_GGUF_INVALID')),
  llmPath('/proc/self/environ', () => '/proc/self/environ', { status: 400, code: ['LLM_GGUF_INVALID', 'VALIDATION_FAILED'] }),
  llmPath('the SQLite database', (env) => `${env.main.dir}/sagebrush.db`, err(400, 'LLM_GGUF_INVALID')),
  llmPath('a directory', () => '/etc', V),
  llmPath('a device', () => '/dev/zero', V),
  llmPath('a relative path climbing out', () => '../../../../../../etc/hostname', { status: 400, code: ['LLM_GGUF_INVALID', 'VALIDATION_FAILED'] }),
  { group: 'names', name: 'endpoint create with a path-like name', send: (env) => env.inject({ method: 'POST', url: '/api/v1/endpoints', headers: env.auth, payload: { name: '../../x', model: 'ctl-model:1' } }), expect: { status: 400, code: 'VALIDATION_FAILED' } },
  { group: 'names', name: 'endpoint create with U+202E', send: (env) => env.inject({ method: 'POST', url: '/api/v1/endpoints', headers: env.auth, payload: { name: 'ep\u202Etxt.exe', model: 'ctl-model:1' } }), expect: { status: 400, code: 'VALIDATION_FAILED' } },
  { group: 'names', name: 'endpoint create with 10,000 characters', send: (env) => env.inject({ method: 'POST', url: '/api/v1/endpoints', headers: env.auth, payload: { name: 'e'.repeat(10_000), model: 'ctl-model:1' } }), expect: { status: 400, code: 'VALIDATION_FAILED' } },
  { group: 'names', name: 'model (classifier) name with a slash', send: (env) => env.inject({ method: 'POST', url: '/api/v1/text/classifiers', headers: env.auth, payload: { name: 'a/b', dataset: 'ctl-tickets' } }), expect: { status: 400, code: 'VALIDATION_FAILED' } },
  { group: 'names', name: 'model (classifier) name with emoji', send: (env) => env.inject({ method: 'POST', url: '/api/v1/text/classifiers', headers: env.auth, payload: { name: 'model-🐱', dataset: 'ctl-tickets' } }), expect: { status: 400, code: 'VALIDATION_FAILED' } },
];
