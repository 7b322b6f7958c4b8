/**
 * JSON bodies and query strings: invalid JSON, prototype-pollution keys, wrong types, missing and extra fields,
 * numbers out of range, very long strings, arrays where objects are expected, wrong content types, oversize and
 * deeply nested bodies; plus the real-time classify limits (TextList 25 documents, 10 KB per document).
 */
import { err, json, ok, type HostileCase, type Outcome } from '../case.ts';
import { deepJsonBody } from '../generators.ts';
import type { Reply } from '../harness.ts';

type Method = 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';

function body(name: string, method: Method, url: string, payload: string | Buffer | undefined, expect: Outcome, contentType = 'application/json', check?: HostileCase['check']): HostileCase {
  return {
    group: 'bodies',
    name,
    send: (env) => env.inject({ method, url: url.replace('{ep}', env.endpoint), headers: { ...env.auth, ...(payload === undefined ? {} : { 'content-type': contentType }) }, ...(payload === undefined ? {} : { payload }) }),
    expect,
    ...(check ? { check } : {}),
  };
}

const V = err(400, 'VALIDATION_FAILED');
const BAD = err(400, 'BAD_REQUEST');
/** JSON bodies nested past the API's limit (src/core/json-depth.ts), refused before parsing. */
const DEEP = err(400, 'JSON_TOO_DEEP');
const j = (o: unknown) => JSON.stringify(o);
const noPollution = () => (({} as Record<string, unknown>).polluted === undefined && ({} as Record<string, unknown>).isAdmin === undefined ? [] : ['Object.prototype was polluted']);
/** The detail of a refused __proto__ body names the real problem, not "not valid JSON" (issue 12 item 7). */
const protoDetail = (r: Reply) => (/not valid JSON/i.test(json<{ detail: string }>(r)?.detail ?? '') ? ['the detail says the body is not valid JSON; it should name the __proto__ key'] : []);

const EP = '/api/v1/endpoints';
const TRAIN = '/api/v1/text/classifiers';
const CLASSIFY = '/api/v1/endpoints/{ep}/classify';
const trainOk = { name: 'hostile-never', dataset: 'no-such-dataset', mode: 'multi-class' };

/** Invalid JSON on a few JSON routes. */
const invalidJson: Array<[string, string]> = [
  ['an unclosed object', '{"name": "x"'],
  ['a bare word', 'hello'],
  ['single quotes', "{'name': 'x'}"],
  ['a trailing comma', '{"name":"x",}'],
  ['NaN literal', '{"name":"x","testFraction":NaN}'],
  ['a comment', '{"name":"x" /* hi */}'],
  ['two documents', '{"a":1}{"b":2}'],
];

const protoBodies: Array<[string, string]> = [
  ['top-level __proto__', '{"__proto__":{"polluted":"yes"},"name":"x","model":"m"}'],
  ['nested __proto__', '{"name":"x","model":"m","config":{"a":{"__proto__":{"polluted":"yes"}}}}'],
  ['escaped \\u005f_proto__', '{"\\u005f_proto__":{"polluted":"yes"},"name":"x","model":"m"}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}},"name":"x","model":"m"}'],
  ['nested constructor.prototype', '{"name":"x","model":"m","config":{"constructor":{"prototype":{"isAdmin":true}}}}'],
];

export const bodyCases: HostileCase[] = [
  ...invalidJson.map(([n, p]) => body(`invalid JSON: ${n}`, 'POST', EP, p, BAD)),
  body('invalid JSON: invalid UTF-8 bytes', 'POST', EP, Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), BAD),
  body('an empty JSON body', 'POST', EP, '', BAD),
  body('invalid JSON on /text/classifiers', 'POST', TRAIN, '{"name":', BAD),
  body('invalid JSON on /cds/try', 'POST', '/api/v1/cds/try', '{"hook":', BAD),
  body('invalid JSON on /rules/policy', 'PUT', '/api/v1/rules/policy', '[{"plan":', BAD),
  ...protoBodies.map(([n, p]) => body(`prototype pollution: ${n}`, 'POST', EP, p, err(400, 'JSON_FORBIDDEN_KEY'), 'application/json', (r) => [...noPollution(), ...protoDetail(r)])),
  body('prototype pollution on /cds/try', 'POST', '/api/v1/cds/try', '{"hook":"order-sign","patientId":"pat-ctl","__proto__":{"polluted":"yes"}}', err(400, 'JSON_FORBIDDEN_KEY'), 'application/json', (r) => [...noPollution(), ...protoDetail(r)]),
  // wrong shapes
  body('JSON null', 'POST', EP, 'null', V),
  body('a JSON string', 'POST', EP, '"endpoint"', V),
  body('a JSON number', 'POST', EP, '42', V),
  body('an array where an object is expected', 'POST', EP, '[]', V),
  body('an array of objects', 'POST', EP, '[{"name":"x","model":"m"}]', V),
  body('name is a number', 'POST', EP, j({ name: 123, model: 'm' }), V),
  body('name is an object', 'POST', EP, j({ name: { $ne: null }, model: 'm' }), V),
  body('name is an array', 'POST', EP, j({ name: ['a'], model: 'm' }), V),
  body('name is null', 'POST', EP, j({ name: null, model: 'm' }), V),
  body('name is true', 'POST', EP, j({ name: true, model: 'm' }), V),
  body('missing name', 'POST', EP, j({ model: 'm' }), V),
  body('missing every field', 'POST', EP, '{}', V),
  body('config is an array', 'POST', EP, j({ name: 'x', model: 'm', config: [] }), V),
  body('config is a string', 'POST', EP, j({ name: 'x', model: 'm', config: 'x' }), V),
  body('extra fields are ignored (unknown model → MODEL_NOT_FOUND)', 'POST', EP, j({ name: 'hostile-x', model: 'no-such-model', admin: true, id: 'ep_1', createdAt: 0 }), err(404, 'MODEL_NOT_FOUND')),
  body('a 100,000-character model reference', 'POST', EP, j({ name: 'hostile-y', model: 'm'.repeat(100_000) }), err(404, 'MODEL_NOT_FOUND')),
  // numbers
  body('testFraction 1e400 (Infinity)', 'POST', TRAIN, j({ ...trainOk, testFraction: 1 }).replace('"testFraction":1', '"testFraction":1e400'), V),
  body('testFraction -1', 'POST', TRAIN, j({ ...trainOk, testFraction: -1 }), V),
  body('testFraction 0', 'POST', TRAIN, j({ ...trainOk, testFraction: 0 }), V),
  body('testFraction "NaN"', 'POST', TRAIN, j({ ...trainOk, testFraction: 'NaN' }), V),
  body('testFraction "Infinity"', 'POST', TRAIN, j({ ...trainOk, testFraction: 'Infinity' }), V),
  body('testFraction "-Infinity"', 'POST', TRAIN, j({ ...trainOk, testFraction: '-Infinity' }), V),
  body('seed 1e20 (not a safe integer)', 'POST', TRAIN, j({ ...trainOk, seed: 1e20 }), V),
  body('seed 1.5', 'POST', TRAIN, j({ ...trainOk, seed: 1.5 }), V),
  body('maxEpochs 1e9', 'POST', TRAIN, j({ ...trainOk, options: { maxEpochs: 1e9 } }), V),
  body('wordNgram with 3 items', 'POST', TRAIN, j({ ...trainOk, options: { wordNgram: [1, 2, 3] } }), V),
  body('wordNgram [0, -1]', 'POST', TRAIN, j({ ...trainOk, options: { wordNgram: [0, -1] } }), V),
  body('mode is unknown', 'POST', TRAIN, j({ ...trainOk, mode: 'multi-everything' }), V),
  body('a model name of 10,000 characters', 'POST', TRAIN, j({ ...trainOk, name: 'n'.repeat(10_000) }), V),
  body('an unknown dataset', 'POST', TRAIN, j(trainOk), err(404, 'DATASET_NOT_FOUND')),
  body('datasetVersion 0', 'POST', TRAIN, j({ ...trainOk, datasetVersion: 0 }), V),
  body('datasetVersion "abc"', 'POST', TRAIN, j({ ...trainOk, datasetVersion: 'abc' }), V),
  // content types
  body('text/plain body on a JSON route is a string, not an object', 'POST', EP, j({ name: 'x', model: 'm' }), V, 'text/plain'),
  body('application/xml body', 'POST', EP, '<endpoint name="x"/>', err(415, 'UNSUPPORTED_MEDIA_TYPE'), 'application/xml'),
  body('form-urlencoded body', 'POST', EP, 'name=x&model=m', err(415, 'UNSUPPORTED_MEDIA_TYPE'), 'application/x-www-form-urlencoded'),
  body('a made-up content type', 'POST', EP, j({ name: 'x' }), err(415, 'UNSUPPORTED_MEDIA_TYPE'), 'application/x-evil'),
  body('JSON declared as UTF-16', 'POST', EP, j({ name: 'x', model: 'm' }), err(404, 'MODEL_NOT_FOUND'), 'application/json; charset=utf-16'),
  body('a content type with a huge parameter', 'POST', EP, j({ name: 'x', model: 'no-such-model' }), err(404, 'MODEL_NOT_FOUND'), `application/json; x=${'a'.repeat(8000)}`),
  body('multipart on a JSON route', 'POST', EP, '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n', V, 'multipart/form-data; boundary=b'),
  body('a JSON body on a GET', 'GET', '/api/v1/datasets', j({ a: 1 }), ok(200)),
  // size and depth
  body('a body over the 16 MiB limit', 'POST', EP, Buffer.alloc(16 * 1024 * 1024 + 10, 0x20), err(413, 'PAYLOAD_TOO_LARGE')),
  body('100,000 nested objects: a documented code, not a 500', 'POST', EP, deepJsonBody(100_000), DEEP),
  body('5,000 nested objects in config', 'POST', EP, `{"name":"hostile-z","model":"no-such-model","config":${deepJsonBody(5000)}}`, DEEP),
  body('a 15 MB string', 'POST', EP, j({ name: 'x'.repeat(15 * 1024 * 1024), model: 'm' }), V),
  // query strings
  body('limit=9999', 'GET', '/api/v1/jobs?limit=9999', undefined, V),
  body('limit=-1', 'GET', '/api/v1/datasets?limit=-1', undefined, V),
  body('limit=NaN', 'GET', '/api/v1/datasets?limit=NaN', undefined, V),
  body('limit=1e400', 'GET', '/api/v1/datasets?limit=1e400', undefined, V),
  body('limit given twice', 'GET', '/api/v1/datasets?limit=1&limit=2', undefined, V),
  body('a garbage cursor', 'GET', '/api/v1/datasets?cursor=%00%ff%fe', undefined, BAD),
  body('preview offset=-1', 'GET', '/api/v1/datasets/ctl-tickets/versions/1/preview?offset=-1', undefined, V),
  body('preview limit=100000000', 'GET', '/api/v1/datasets/ctl-tickets/versions/1/preview?limit=100000000', undefined, V),
  body('version "abc"', 'GET', '/api/v1/datasets/ctl-tickets/versions/abc', undefined, V),
  body('version -1', 'GET', '/api/v1/datasets/ctl-tickets/versions/-1', undefined, V),
  body('version 1e400', 'GET', '/api/v1/datasets/ctl-tickets/versions/1e400', undefined, V),
  body('version 99999999999999999999', 'GET', '/api/v1/datasets/ctl-tickets/versions/99999999999999999999', undefined, V),
  body('a 100 KB query string', 'GET', `/api/v1/datasets?cursor=${'a'.repeat(100_000)}`, undefined, V),
  // real-time classify limits (Comprehend: 25 documents, 10 KB each)
  body('classify: 26 documents', 'POST', CLASSIFY, j({ TextList: Array.from({ length: 26 }, (_, i) => `doc ${i}`) }), V),
  body('classify: an empty TextList', 'POST', CLASSIFY, j({ TextList: [] }), V),
  body('classify: a 10 KB + 1 document', 'POST', CLASSIFY, j({ Text: 'a'.repeat(10 * 1024 + 1) }), V),
  body('classify: a 10 KB document in multibyte characters', 'POST', CLASSIFY, j({ Text: '€'.repeat(3500) }), V),
  body('classify: an empty Text', 'POST', CLASSIFY, j({ Text: '' }), V),
  body('classify: whitespace Text', 'POST', CLASSIFY, j({ Text: ' \n\t ' }), V),
  body('classify: both Text and TextList', 'POST', CLASSIFY, j({ Text: 'a', TextList: ['b'] }), V),
  body('classify: neither Text nor TextList', 'POST', CLASSIFY, '{}', V),
  body('classify: Text is a number', 'POST', CLASSIFY, j({ Text: 42 }), V),
  body('classify: TextList is a string', 'POST', CLASSIFY, j({ TextList: 'abc' }), V),
  body('classify: TextList holds objects', 'POST', CLASSIFY, j({ TextList: [{ Text: 'a' }] }), V),
  body('classify: one bad document in a TextList goes to ErrorList', 'POST', CLASSIFY, j({ TextList: ['refund my invoice', '', 'a'.repeat(11_000)] }), ok(200), undefined, (r) => {
    const b = json<{ ResultList: unknown[]; ErrorList: Array<{ Index: number }> }>(r);
    return b?.ResultList.length === 1 && b.ErrorList.map((e) => e.Index).join() === '1,2' ? [] : [`unexpected ResultList/ErrorList: ${r.body.slice(0, 200)}`];
  }),
  body('classify: NUL, RTL override and emoji are just text', 'POST', CLASSIFY, j({ Text: 'refund\u0000 \u202Eecnuob 🧾 invoice' }), ok(200)),
  body('classify: exactly 25 documents', 'POST', CLASSIFY, j({ TextList: Array.from({ length: 25 }, (_, i) => `parcel tracking ${i}`) }), ok(200)),
  body('classify: an unknown endpoint', 'POST', '/api/v1/endpoints/no-such-endpoint/classify', j({ Text: 'x' }), err(404, 'ENDPOINT_NOT_FOUND')),
  // other JSON routes
  body('rules policy: rows with wrong types', 'PUT', '/api/v1/rules/policy', j([{ plan: 1, system: [], code: {}, requirement: 'maybe' }]), err(400, 'RULE_POLICY_INVALID')),
  body('rules policy: a CSV with an unclosed quote', 'PUT', '/api/v1/rules/policy', 'plan,system,code,requirement\n"acme,x,y,pa\n', err(400, 'RULE_POLICY_INVALID'), 'text/csv'),
  body('rules compile: 2 MB + 1 of CQL', 'POST', '/api/v1/rules/compile', j({ cql: 'x'.repeat(2_000_001) }), V),
  body('rules: PATCH with an unknown status', 'PATCH', '/api/v1/rules/SinusitisAmoxicillin', j({ status: 'root' }), V),
  body('cds/try: an order nested 100,000 deep', 'POST', '/api/v1/cds/try', `{"hook":"order-sign","patientId":"pat-ctl","order":{"resourceType":"MedicationRequest","x":${deepJsonBody(100_000)}}}`, DEEP),
  body('endpoint config nested 100,000 deep', 'POST', EP, `{"name":"hostile-deep","model":"ctl-model:1","config":${deepJsonBody(100_000)}}`, DEEP, 'application/json', async (_r, env) => {
    const list = await env.inject({ method: 'GET', url: '/api/v1/endpoints', headers: env.auth });
    return list.status === 200 ? [] : [`GET /api/v1/endpoints answers ${list.status} afterwards`];
  }),
  body('fhir/import: a Bundle nested 100,000 deep', 'POST', '/api/v1/fhir/import', `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","x":${deepJsonBody(100_000)}}}]}`, DEEP),
  body('rules: an ELM library nested 100,000 deep', 'POST', '/api/v1/rules', `{"elm":{"library":{"identifier":{"id":"Deep"},"statements":{"def":[{"name":"x","expression":${deepJsonBody(100_000)}}]}}}}`, DEEP),
  body('cds/try: an unknown hook', 'POST', '/api/v1/cds/try', j({ hook: 'rm-rf', patientId: 'pat-ctl' }), V),
  body('cds/try: a patientId of 10,000 characters', 'POST', '/api/v1/cds/try', j({ hook: 'order-sign', patientId: 'p'.repeat(10_000) }), V),
  body('summarize: neither text nor dataset', 'POST', '/api/v1/summarize', '{}', V),
  body('summarize: ratio 0', 'POST', '/api/v1/summarize', j({ text: 'hello world', ratio: 0 }), V),
  body('summarize: engine is an unknown string', 'POST', '/api/v1/summarize', j({ text: 'hello world', engine: 'gpt-9' }), V),
  body('images: build with a path-like name', 'POST', '/api/v1/images/models', j({ name: '../../x', dataset: 'ctl-images' }), V),
  body('images: predict with non-base64', 'POST', '/api/v1/images/models/none/versions/1/predict', j({ image: '%%%not base64%%%' }), V),
  body('fhir/import: not a Bundle', 'POST', '/api/v1/fhir/import', j({ resourceType: 'Patient' }), err(400, 'FHIR_BUNDLE_INVALID')),
];
