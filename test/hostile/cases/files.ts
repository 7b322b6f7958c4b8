/**
 * Text dataset uploads (CSV, TSV, JSON Lines, other files) through POST /api/v1/datasets?wait=true: empty,
 * binary, broken encodings, BOMs, NUL bytes, line endings, broken CSV structure, deep and odd JSON, and the
 * upload form itself. Legal-but-odd input (formula-like cells, HTML, BOMs, CR line endings) is stored as data.
 */
import { err, json, ok, type HostileCase } from '../case.ts';
import { csv, deepJsonLine, labelled } from '../generators.ts';
import type { Env, Reply } from '../harness.ts';
import { MAX_UPLOAD } from '../harness.ts';

const B = (...parts: Array<string | number[] | Buffer>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p as number[]))));

function file(name: string, fileName: string, content: () => Buffer | string, expect: HostileCase['expect'], fields: Record<string, string> = {}, check?: HostileCase['check']): HostileCase {
  return { group: 'files', name, send: (env) => env.upload(fileName, content(), fields), expect, ...(check ? { check } : {}) };
}

type Version = { schema: { columns?: Array<{ name: string }> }; problems: Array<{ problem: string; field?: string }>; rowCount: number };
const versionOf = (r: Reply) => json<{ version: Version }>(r)?.version;

/** The stored columns are exactly `names`. */
const columns = (names: string[]) => (r: Reply) => {
  const got = versionOf(r)?.schema.columns?.map((c) => c.name);
  return JSON.stringify(got) === JSON.stringify(names) ? [] : [`columns ${JSON.stringify(got)}, expected ${JSON.stringify(names)}`];
};
const rows = (n: number) => (r: Reply) => (versionOf(r)?.rowCount === n ? [] : [`rowCount ${versionOf(r)?.rowCount}, expected ${n}`]);

/** The preview shows `cell` verbatim (stored as data, never evaluated or escaped). */
const previewHas = (cell: string) => async (r: Reply, env: Env) => {
  const v = json<{ dataset: { id: string } }>(r);
  const p = await env.inject({ method: 'GET', url: `/api/v1/datasets/${v?.dataset.id}/versions/latest/preview`, headers: env.auth });
  return p.body.includes(JSON.stringify(cell).slice(1, -1)) ? [] : [`preview does not show ${JSON.stringify(cell)}: ${p.body.slice(0, 200)}`];
};

const csvRows = (n: number) => Array.from({ length: n }, (_, i) => `${i},text number ${i},${i % 2 ? 'a' : 'b'}`);
const big = (n: number, ch = 'x') => ch.repeat(n);

export const fileCases: HostileCase[] = [
  // empty and blank
  file('empty .csv', 'empty.csv', () => '', err(400, 'FILE_EMPTY')),
  file('empty .jsonl', 'empty.jsonl', () => '', err(400, 'FILE_EMPTY')),
  file('empty .tsv', 'empty.tsv', () => '', err(400, 'FILE_EMPTY')),
  file('empty .zip', 'empty.zip', () => '', err(400, 'FILE_EMPTY')),
  file('empty, no extension', 'empty', () => '', err(400, 'FILE_EMPTY')),
  file('only newlines', 'blank.csv', () => '\n\n\n', err(400, 'FILE_EMPTY')),
  file('only CRLF and spaces', 'blank.csv', () => ' \r\n\t\r\n  ', err(400, 'FILE_EMPTY')),
  file('only a UTF-8 BOM', 'bom.csv', () => '\uFEFF', err(400, 'FILE_EMPTY')),
  file('BOM and blank lines', 'bom.csv', () => '\uFEFF\n\n', err(400, 'FILE_EMPTY')),
  file('header only', 'header.csv', () => 'text,label\n', err(400, 'DATASET_EMPTY')),
  file('JSON Lines of blank lines', 'blank.jsonl', () => '\n \n\t\n', err(400, 'FILE_EMPTY')),
  // binary content
  file('PNG named .csv', 'data.csv', () => B([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], Buffer.alloc(40, 1)), err(400, 'FILE_BINARY')),
  file('JPEG named .csv', 'data.csv', () => B([0xff, 0xd8, 0xff, 0xe0], Buffer.alloc(40, 2)), err(400, 'FILE_BINARY')),
  file('GIF named .txt', 'data.txt', () => B('GIF89a', Buffer.alloc(40, 0)), err(400, 'FILE_BINARY')),
  file('PDF named .csv', 'data.csv', () => '%PDF-1.7\n%âãÏÓ\n1 0 obj\n', err(400, 'FILE_BINARY')),
  file('gzip named .csv', 'data.csv.gz', () => B([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), err(400, 'FILE_BINARY')),
  file('bzip2 named .tsv', 'data.tsv', () => B('BZh91AY&SY', Buffer.alloc(20, 0x41)), err(400, 'FILE_BINARY')),
  file('ELF executable', 'data.csv', () => B([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], Buffer.alloc(40, 0)), err(400, 'FILE_BINARY')),
  file('Windows executable', 'data.jsonl', () => B('MZ', Buffer.alloc(60, 0x90)), err(400, 'FILE_BINARY')),
  file('SQLite database', 'data.csv', () => B('SQLite format 3\0', Buffer.alloc(80, 0)), err(400, 'FILE_BINARY')),
  file('Parquet file', 'data.csv', () => B('PAR1', Buffer.alloc(40, 0x15)), err(400, 'FILE_BINARY')),
  file('legacy Office document', 'data.csv', () => B([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], Buffer.alloc(40, 0)), err(400, 'FILE_BINARY')),
  file('random bytes', 'noise.csv', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), err(400, 'FILE_BINARY')),
  file('NUL as the first byte', 'nul.csv', () => B([0], 'text,label\nhi,a\n'), err(400, 'FILE_BINARY')),
  file('NUL inside a CSV cell', 'nul.csv', () => 'text,label\nhel\0lo,a\nbye,b\n', err(400, 'FILE_BINARY')),
  file('NUL after the first 64 KB', 'nul.csv', () => B(csv(['id,text,label', ...csvRows(4000)]), '4000,bad\0,a\n'), err(400, 'FILE_BINARY')),
  file('NUL inside a JSON Lines string', 'nul.jsonl', () => '{"text":"a\0b","label":"x"}\n', err(400, 'FILE_BINARY')),
  file('control bytes (> 1 %)', 'ctl.csv', () => `text,label\n${'\x01\x02\x03\x04'.repeat(20)},a\n`, err(400, 'FILE_BINARY')),
  file('UTF-16 (no BOM, NUL-interleaved)', 'u16.csv', () => Buffer.from('text,label\nhi,a\n', 'utf16le'), err(400, 'FILE_BINARY')),
  // encodings
  file('UTF-16LE with BOM', 'u16.csv', () => B([0xff, 0xfe], Buffer.from('text,label\nhi,a\n', 'utf16le')), err(400, 'FILE_ENCODING')),
  file('UTF-16BE with BOM', 'u16.csv', () => B([0xfe, 0xff], Buffer.from('text,label\nhi,a\n', 'utf16le').swap16()), err(400, 'FILE_ENCODING')),
  file('Latin-1 é', 'latin1.csv', () => B('text,label\ncaf', [0xe9], ',a\nbye,b\n'), err(400, 'FILE_ENCODING')),
  file('overlong UTF-8 encoding of "/"', 'overlong.csv', () => B('text,label\na', [0xc0, 0xaf], 'b,a\nc,b\n'), err(400, 'FILE_ENCODING')),
  file('lone continuation byte', 'cont.csv', () => B('text,label\na', [0x80], ',a\nc,b\n'), err(400, 'FILE_ENCODING')),
  file('truncated multibyte sequence at EOF', 'trunc.csv', () => B('text,label\nhi,a\nbye,', [0xe2, 0x82]), err(400, 'FILE_ENCODING')),
  file('UTF-8 encoded surrogate', 'surrogate.csv', () => B('text,label\na', [0xed, 0xa0, 0x80], ',a\nb,b\n'), err(400, 'FILE_ENCODING')),
  file('code point above U+10FFFF', 'f4.csv', () => B('text,label\na', [0xf4, 0x90, 0x80, 0x80], ',a\nb,b\n'), err(400, 'FILE_ENCODING')),
  file('invalid UTF-8 in JSON Lines', 'bad.jsonl', () => B('{"text":"caf', [0xe9], '","label":"a"}\n'), err(400, 'FILE_ENCODING')),
  file('0xFF in a TSV', 'bad.tsv', () => B('text\tlabel\nhi', [0xff], '\ta\n'), err(400, 'FILE_ENCODING')),
  file('invalid UTF-8 after the first 64 KB', 'late.csv', () => B(csv(['id,text,label', ...csvRows(4000)]), '4000,caf', [0xe9], ',a\n'), err(400, 'FILE_ENCODING')),
  // BOMs and line endings that are legal
  file('UTF-8 BOM before the header (CSV)', 'bom.csv', () => `\uFEFF${labelled()}`, ok(201), {}, columns(['text', 'label'])),
  file('UTF-8 BOM (JSON Lines)', 'bom.jsonl', () => '\uFEFF{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n', ok(201), {}, columns(['text', 'label'])),
  file('UTF-8 BOM (TSV)', 'bom.tsv', () => '\uFEFFtext\tlabel\nhi\ta\nbye\tb\n', ok(201), {}, columns(['text', 'label'])),
  file('CRLF line endings', 'crlf.csv', () => labelled().replace(/\n/g, '\r\n'), ok(201), {}, rows(6)),
  file('bare CR line endings (old Mac) are read', 'cr.csv', () => labelled().replace(/\n/g, '\r'), ok(201), {}, rows(6)),
  file('mixed CRLF and LF', 'mixed.csv', () => 'text,label\r\nhi,a\nbye,b\r\nyo,a\n', ok(201), {}, rows(3)),
  file('no final newline', 'nofinal.csv', () => 'text,label\nhi,a\nbye,b', ok(201), {}, rows(2)),
  file('bare CR line endings in JSON Lines', 'cr.jsonl', () => '{"text":"a","label":"x"}\r{"text":"b","label":"y"}\r', ok(201), {}, rows(2)),
  // CSV structure
  file('duplicate header names are refused', 'dup.csv', () => 'text,text,label\na,b,x\nc,d,y\n', err(400, 'CSV_DUPLICATE_HEADER')),
  file('duplicate header names after trimming are refused', 'dup2.csv', () => 'text, text ,label\na,b,x\nc,d,y\n', err(400, 'CSV_DUPLICATE_HEADER')),
  file('headers differing only in case are distinct', 'case.csv', () => 'Text,text,label\na,b,x\nc,d,y\n', ok(201), {}, columns(['Text', 'text', 'label'])),
  file('unclosed quote', 'quote.csv', () => 'id,text\n1,fine\n2,"never closed\n3,more\n', err(400, 'CSV_MALFORMED')),
  file('unclosed quote on the last row', 'quote2.csv', () => 'id,text\n1,fine\n2,"open', err(400, 'CSV_MALFORMED')),
  file('a row with too few fields', 'short.csv', () => 'id,text,label\n1,a,x\n2,only\n', err(400, 'CSV_MALFORMED')),
  file('a row with too many fields', 'long.csv', () => 'id,text\n1,a\n2,b,c,d\n', err(400, 'CSV_MALFORMED')),
  file('formula-like cells are stored as data (=)', 'f1.csv', () => 'text,label\n"=cmd|\' /C calc\'!A0",a\nplain,b\n', ok(201), {}, previewHas("=cmd|' /C calc'!A0")),
  file('formula-like cells are stored as data (+ - @)', 'f2.csv', () => 'text,label\n+1+1,a\n-2+3,b\n@SUM(A1:A2),a\n', ok(201), {}, previewHas('@SUM(A1:A2)')),
  file('HTML in a cell is stored as data', 'html.csv', () => 'text,label\n<script>alert(1)</script>,a\n<img src=x onerror=alert(1)>,b\n', ok(201), {}, previewHas('<script>alert(1)</script>')),
  file('U+202E and zero-width characters in cells', 'bidi.csv', () => 'text,label\nabc\u202Efdp.exe,a\nzero\u200Bwidth,b\n', ok(201), {}, previewHas('abc\u202Efdp.exe')),
  file('a 1 MB cell', 'wide.csv', () => `text,label\n${big(1024 * 1024)},a\nshort,b\n`, ok(201), {}, rows(2)),
  file('a 1 MB JSON Lines string', 'wide.jsonl', () => `{"text":"${big(1024 * 1024)}","label":"a"}\n{"text":"b","label":"b"}\n`, ok(201), {}, rows(2)),
  file('a line longer than the upload limit', 'huge.csv', () => `text,label\n${big(MAX_UPLOAD + 10)},a\n`, err(413, 'PAYLOAD_TOO_LARGE')),
  file('a file over the upload limit', 'huge.jsonl', () => `${'{"text":"aaaaaaaaaaaaaaaaaaaa","label":"x"}\n'.repeat(Math.ceil(MAX_UPLOAD / 40) + 10)}`, err(413, 'PAYLOAD_TOO_LARGE')),
  file('3,000 columns (over the column limit)', 'cols.csv', () => csv([Array.from({ length: 3000 }, (_, i) => `c${i}`).join(','), Array.from({ length: 3000 }, (_, i) => `${i}`).join(',')]), err(400, 'CSV_MALFORMED')),
  file('semicolon-delimited', 'semi.csv', () => 'text;label\nhi;a\nbye;b\n', ok(201), {}, columns(['text', 'label'])),
  file('pipe-delimited .txt', 'pipe.txt', () => 'text|label\nhi|a\nbye|b\n', ok(201)),
  file('one column', 'one.csv', () => 'text\nhello\nworld\n', ok(201), {}, rows(2)),
  file('prose with no delimiter', 'notes.xyz', () => 'Dear diary\nToday nothing happened\nThe end\n', err(400, 'FILE_FORMAT_UNKNOWN')),
  file('a JSON array', 'data.json', () => '[{"text":"a"},{"text":"b"}]', err(400, 'FILE_FORMAT_UNKNOWN')),
  file('HTML page', 'page.html', () => '<!doctype html><html><body>hi</body></html>\n', err(400, 'FILE_FORMAT_UNKNOWN')),
  file('XML document', 'data.xml', () => '<?xml version="1.0"?>\n<rows><row>a</row></rows>\n', err(400, 'FILE_FORMAT_UNKNOWN')),
  // JSON Lines
  file('a malformed JSON line', 'bad.jsonl', () => '{"text":"a","label":"x"}\n{"text": "c", label: z}\n', err(400, 'JSONL_MALFORMED')),
  file('a JSON line that is an array', 'arr.jsonl', () => '{"text":"a"}\n["b"]\n', err(400, 'JSONL_MALFORMED')),
  file('a JSON line that is a number', 'num.jsonl', () => '{"text":"a"}\n42\n', err(400, 'JSONL_MALFORMED')),
  file('a JSON line that is null', 'null.jsonl', () => '{"text":"a"}\nnull\n', err(400, 'JSONL_MALFORMED')),
  file('NaN is not JSON', 'nan.jsonl', () => '{"text":"a","score":NaN}\n', err(400, 'JSONL_MALFORMED')),
  file('a trailing comma', 'comma.jsonl', () => '{"text":"a","label":"x",}\n', err(400, 'JSONL_MALFORMED')),
  file('100,000 nested arrays: a documented code, not a 500', 'deep.jsonl', () => `${deepJsonLine(100_000)}\n`, err(400, 'JSONL_TOO_DEEP')),
  file('100,000 nested objects: a documented code, not a 500', 'deep2.jsonl', () => `${deepJsonLine(100_000, 'object')}\n`, err(400, 'JSONL_TOO_DEEP')),
  file('50 nested levels are fine', 'deep50.jsonl', () => `${deepJsonLine(50)}\n{"text":"b","label":"y"}\n`, ok(201), {}, rows(2)),
  file('__proto__ key is plain data (no prototype pollution)', 'proto.jsonl', () => '{"text":"a","label":"x","__proto__":{"polluted":"yes"}}\n{"text":"b","label":"y"}\n', ok(201), {}, () => (({} as Record<string, unknown>).polluted === undefined ? [] : ['Object.prototype was polluted'])),
  file('constructor.prototype key is plain data', 'ctor.jsonl', () => '{"text":"a","label":"x","constructor":{"prototype":{"polluted":"yes"}}}\n{"text":"b","label":"y"}\n', ok(201), {}, () => (({} as Record<string, unknown>).polluted === undefined ? [] : ['Object.prototype was polluted'])),
  file('rows without "text" are refused', 'notext.jsonl', () => '{"text":"a","label":"x"}\n{"label":"y"}\n{"label":"z"}\n', err(400, 'JSONL_FIELD_INVALID')),
  file('null text is refused', 'nulltext.jsonl', () => '{"text":"a","label":"x"}\n{"text":null,"label":"y"}\n', err(400, 'JSONL_FIELD_INVALID')),
  file('an object label is refused', 'objlabel.jsonl', () => '{"text":"a","label":{"name":"x"}}\n{"text":"b","label":"y"}\n', err(400, 'JSONL_FIELD_INVALID')),
  file('duplicate keys in one object', 'dupkey.jsonl', () => '{"text":"a","text":"b","label":"x"}\n', ok(201), {}, rows(1)),
  file('a number beyond double range', 'huge.jsonl', () => '{"text":"a","n":1e400}\n{"text":"b","n":-1e400}\n', ok(201), {}, rows(2)),
  file('a lone surrogate escape', 'sur.jsonl', () => '{"text":"\\ud800 alone","label":"x"}\n', ok(201), {}, rows(1)),
  file('blank lines between rows', 'gaps.jsonl', () => '{"text":"a"}\n\n\n{"text":"b"}\n', ok(201), {}, rows(2)),
  file('3,000 distinct keys (over the column limit)', 'keys.jsonl', () => `${JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])))}\n`, ok(201), {}, (r) => ((versionOf(r)?.problems ?? []).some((p) => /distinct keys/.test(p.problem)) ? [] : ['no warning about the ignored keys'])),
  // TSV
  file('TSV with quotes inside fields', 'q.tsv', () => 'text\tlabel\nsay "hi"\ta\nbye\tb\n', ok(201), {}, rows(2)),
  file('ragged TSV', 'ragged.tsv', () => 'text\tlabel\nhi\ta\nbye\n', err(400, 'CSV_MALFORMED')),
  // the upload form
  file('format=csv for a zip', 'images.zip', () => B([0x50, 0x4b, 3, 4], Buffer.alloc(40, 0)), err(400, 'FILE_BINARY'), { format: 'csv' }),
  file('format=zip for a CSV', 'data.csv', () => labelled(), err(400, 'ARCHIVE_INVALID'), { format: 'zip' }),
  file('format=jsonl for a CSV', 'data.csv', () => labelled(), err(400, 'JSONL_MALFORMED'), { format: 'jsonl' }),
  file('an unknown format value', 'data.csv', () => labelled(), err(400, 'VALIDATION_FAILED'), { format: 'xlsx' }),
  file('an unknown header value', 'data.csv', () => labelled(), err(400, 'VALIDATION_FAILED'), { header: 'maybe' }),
  file('an unknown form field', 'data.csv', () => labelled(), err(400, 'VALIDATION_FAILED'), { evil: '1' }),
  file('a 2,001-character description', 'data.csv', () => labelled(), err(400, 'VALIDATION_FAILED'), { description: big(2001) }),
];

async function form(env: Env, parts: Array<{ name: string; value?: string; fileName?: string; content?: string }>, headers: Record<string, string> = {}): Promise<Reply> {
  const f = new FormData();
  for (const p of parts) {
    if (p.fileName !== undefined) f.append(p.name, new Blob([p.content ?? '']), p.fileName);
    else f.append(p.name, p.value ?? '');
  }
  const req = new Request('http://localhost/', { method: 'POST', body: f });
  const payload = Buffer.from(await req.arrayBuffer());
  return env.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', payload, headers: { ...env.auth, 'content-type': req.headers.get('content-type')!, ...headers } });
}

const formCase = (name: string, send: (env: Env) => Promise<Reply>, expect: HostileCase['expect']): HostileCase => ({ group: 'files', name, send, expect });

export const formCases: HostileCase[] = [
  formCase('no file part', (env) => form(env, [{ name: 'name', value: 'x1' }]), err(400, 'VALIDATION_FAILED')),
  formCase('two file parts', (env) => form(env, [{ name: 'file', fileName: 'a.csv', content: labelled() }, { name: 'file', fileName: 'b.csv', content: labelled() }]), err(400, 'VALIDATION_FAILED')),
  formCase('a field after the file', (env) => form(env, [{ name: 'file', fileName: 'a.csv', content: labelled() }, { name: 'name', value: 'late' }]), err(400, 'VALIDATION_FAILED')),
  formCase('the same field twice', (env) => form(env, [{ name: 'name', value: 'a1' }, { name: 'name', value: 'a2' }, { name: 'file', fileName: 'a.csv', content: labelled() }]), err(400, 'VALIDATION_FAILED')),
  formCase('the file in a part not named "file"', (env) => form(env, [{ name: 'data', fileName: 'a.csv', content: labelled() }]), err(400, 'VALIDATION_FAILED')),
  formCase('a JSON body instead of a form', (env) => env.inject({ method: 'POST', url: '/api/v1/datasets', headers: env.auth, payload: { file: 'text,label\na,b\n' } }), err(415, 'UNSUPPORTED_MEDIA_TYPE')),
  formCase('text/csv body instead of a form', (env) => env.inject({ method: 'POST', url: '/api/v1/datasets', headers: { ...env.auth, 'content-type': 'text/csv' }, payload: labelled() }), err(415, 'UNSUPPORTED_MEDIA_TYPE')),
  formCase('multipart without a boundary', (env) => env.inject({ method: 'POST', url: '/api/v1/datasets', headers: { ...env.auth, 'content-type': 'multipart/form-data' }, payload: labelled() }), err(400, 'BAD_REQUEST')),
  formCase('a truncated multipart body', (env) => env.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', headers: { ...env.auth, 'content-type': 'multipart/form-data; boundary=XyZ' }, payload: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ntext,label\nhi,a\n' }), err(400, 'BAD_REQUEST')),
  formCase('25 form fields (over the 20-field limit)', (env) => form(env, [...Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'x' })), { name: 'file', fileName: 'a.csv', content: labelled() }]), err(400, 'VALIDATION_FAILED')),
  formCase('a 2 MB description field', (env) => form(env, [{ name: 'description', value: 'd'.repeat(2 * 1024 * 1024) }, { name: 'file', fileName: 'a.csv', content: labelled() }]), err(400, 'VALIDATION_FAILED')),
  formCase('a 100 KB file name', (env) => form(env, [{ name: 'name', value: 'long-file-name' }, { name: 'file', fileName: `${'n'.repeat(100 * 1024)}.csv`, content: labelled() }]), ok(201)),
  formCase('garbage with a multipart content type', (env) => env.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', headers: { ...env.auth, 'content-type': 'multipart/form-data; boundary=XyZ' }, payload: 'not multipart at all' }), err(400, 'BAD_REQUEST')),
];
