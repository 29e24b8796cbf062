/**
 * Character classes and small scanners of the RFC 3261 §25.1 grammar, shared by the header
 * parsers. All work on a string and an index, without allocating, for the proxy hot path.
 */

const TOKEN = new Uint8Array(128);
// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
for (const c of "-.!%*_+`'~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWs(c: number): boolean {
  return c === 32 || c === 9;
}

/** Skips linear white space (headers are unfolded before parsing, so SP and HTAB only). */
export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index after a run of token characters starting at i (i itself when there is none). */
export function scanToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Index after the closing quote of the quoted-string opening at s[i] === '"', or -1 when it
 * is unterminated. RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
 */
export function scanQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
    else if (c === 13 || c === 10) return -1;
  }
  return -1;
}

/** The content of a quoted-string (without the quotes), quoted-pairs resolved. */
export function unquote(q: string): string {
  const inner = q.slice(1, -1);
  return inner.indexOf('\\') === -1 ? inner : inner.replace(/\\(.)/gs, '$1');
}

/** Quotes a string as a quoted-string, escaping `"` and `\`. */
export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Splits a header value on the commas that separate list elements (RFC 3261 §7.3.1),
 * ignoring commas inside quoted strings and <...>. Empty elements are an error: the
 * grammar's `*(COMMA element)` has none.
 */
export function splitList(value: string): string[] | null {
  let start = 0;
  let out: string[] | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) {
      const end = scanQuoted(value, i);
      if (end < 0) return null;
      i = end - 1;
    } else if (c === 60) {
      const end = value.indexOf('>', i);
      if (end < 0) return null;
      i = end;
    } else if (c === 44) {
      const part = value.slice(start, i).trim();
      if (part.length === 0) return null;
      (out ??= []).push(part);
      start = i + 1;
    }
  }
  const last = start === 0 ? value.trim() : value.slice(start).trim();
  if (last.length === 0) return null;
  if (!out) return [last];
  out.push(last);
  return out;
}

/** Parses an unsigned decimal (leading zeros allowed) of at most `max`; -1 when invalid. */
export function parseUint(s: string, max = 0xffffffff): number {
  if (s.length === 0) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
    if (n > max) return -1;
  }
  return n;
}
