/**
 * `Content-Disposition` for downloads (RFC 6266 with RFC 5987/8187 `filename*`). Node refuses header
 * values outside Latin-1 (and control characters) with a 500 after the route has set its headers, so
 * a user's file name goes out as pure ASCII: an ASCII fallback `filename="…"` plus the exact name,
 * percent-encoded as UTF-8, in `filename*=UTF-8''…`.
 */

/** Characters never worth keeping in a downloaded file's name: C0/C1 controls, DEL, bidi overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The name a client should save as: no directories, no control or direction-override characters. */
function cleanName(fileName: string): string {
  const name = fileName.replace(LONE_SURROGATE, '\ufffd').replace(UNSAFE, '').replace(/[/\\]/g, '_').trim();
  return name === '' || name === '.' || name === '..' ? 'download' : name;
}

/** RFC 5987 attr-chars stay; everything else is %XX of its UTF-8 bytes. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Printable ASCII only, without the characters a quoted-string or a lax decoder would trip on. */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]+/g, '_')
    .replace(/["\\%]/g, '_');
  return /[A-Za-z0-9]/.test(ascii) ? ascii : `download${/\.[A-Za-z0-9]{1,10}$/.exec(ascii)?.[0] ?? ''}`;
}

/** `attachment; filename="<ascii>"; filename*=UTF-8''<exact>` (RFC 6266 §4.3: clients that know filename* prefer it). */
export function contentDisposition(fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const name = cleanName(fileName);
  return `${disposition}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
