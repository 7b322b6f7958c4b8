/**
 * Downloads whose file names are not Latin-1: the header must be pure ASCII (RFC 6266 fallback +
 * RFC 5987 filename*), and the response must carry the whole body with a matching length, so a
 * keep-alive connection stays in step. The route test runs over a real socket with strict framing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, type TestApp } from '../../domains/datasets/testing/harness.ts';
import { contentDisposition } from './contentDisposition.ts';
import { rawExchange } from '../../http/testing/rawHttp.ts';

/** The filename*=UTF-8'' value, decoded. */
function extName(header: string): string | undefined {
  const m = /filename\*=UTF-8''([^;\s]+)/.exec(header);
  return m ? decodeURIComponent(m[1]!) : undefined;
}
const fallbackName = (header: string) => /filename="([^"]*)"/.exec(header)?.[1];
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

describe('contentDisposition', () => {
  it('sends an ASCII fallback and the exact UTF-8 name, with nothing outside printable ASCII', () => {
    const cases: Array<[string, string, string]> = [
      ['数据.csv', '_.csv', '数据.csv'],
      ['😀 report.csv', '_ report.csv', '😀 report.csv'],
      ['Über Daten.csv', 'Uber Daten.csv', 'Über Daten.csv'],
      ['abc\u202Etxt.exe', 'abctxt.exe', 'abctxt.exe'],
      ['a\u0000b\r\n.csv', 'ab.csv', 'ab.csv'],
      ['q"uo\\te 100%.csv', 'q_uo_te 100_.csv', 'q"uo_te 100%.csv'], // \ is a path separator on Windows
      ["it's (1)*.csv", "it's (1)*.csv", "it's (1)*.csv"],
      ['../../etc/passwd', '.._.._etc_passwd', '.._.._etc_passwd'],
      ['😀', 'download', '😀'],
      ['\u0000', 'download', 'download'],
    ];
    for (const [name, fallback, exact] of cases) {
      const header = contentDisposition(name);
      expect(header, name).toMatch(PRINTABLE_ASCII);
      expect(header.startsWith('attachment; filename="'), name).toBe(true);
      expect(fallbackName(header), name).toBe(fallback);
      expect(extName(header), name).toBe(exact);
    }
    // RFC 5987 attr-char excludes ' ( ) *: they are percent-encoded in filename*.
    expect(contentDisposition("it's (1)*.csv")).toContain("filename*=UTF-8''it%27s%20%281%29%2A.csv");
    expect(contentDisposition('\ud800x.csv')).toMatch(PRINTABLE_ASCII); // a lone surrogate does not throw
  });
});

describe('GET /datasets/{id}/versions/{n}/file with non-Latin-1 file names', () => {
  let t: TestApp;
  let address: { host: string; port: number };
  const content = 'text,label\nhello world,a\nsecond row,b\n';
  const names: Array<{ file: string; exact: string }> = [
    { file: '数据集.csv', exact: '数据集.csv' },
    { file: '😀 emoji.csv', exact: '😀 emoji.csv' },
    { file: 'abc\u202Etxt.csv', exact: 'abctxt.csv' },
    { file: 'nul\u0000byte.csv', exact: 'nulbyte.csv' },
  ];
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    for (const [i, n] of names.entries()) {
      const form = await multipart([{ name: 'name', value: `unicode-${i}` }, { name: 'file', fileName: n.file, content }]);
      const up = await t.app.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', ...form });
      expect(up.statusCode, up.body).toBe(201);
      ids.push(up.json().dataset.id);
    }
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    address = { host: '127.0.0.1', port: (t.app.server.address() as { port: number }).port };
  });
  afterAll(async () => t?.close());

  it('answers 200 with the whole file, a matching length and an RFC 6266 header, keeping keep-alive in step', async () => {
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`;
    for (const [i, n] of names.entries()) {
      // Two requests on one socket: a wrong Content-Length would stall the first or corrupt the second.
      const { responses, extra } = await rawExchange(address, [get(`/api/v1/datasets/${ids[i]}/versions/1/file`), get('/healthz')], 3000);
      const [file, health] = responses;
      expect(file!.statusCode, n.file).toBe(200);
      expect(file!.body).toBe(content);
      expect(Number(file!.headers['content-length'])).toBe(Buffer.byteLength(content));
      const header = file!.headers['content-disposition']!;
      expect(header).toMatch(PRINTABLE_ASCII);
      expect(fallbackName(header)).toMatch(/\.csv$/);
      expect(extName(header)).toBe(n.exact);
      expect(health!.statusCode).toBe(200);
      expect(JSON.parse(health!.body)).toEqual({ status: 'ok' });
      expect(extra).toBe(0);
    }
  });
});
