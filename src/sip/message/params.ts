import { SipParseError } from './errors.ts';
import { isTokenChar, scanQuoted, scanToken, skipWs, unquote } from './lex.ts';

/**
 * Header parameters (`;name` or `;name=value`), RFC 3261 §7.3.1 and §25.1 generic-param.
 * Names are case-insensitive and kept lowercased; values are kept as written (a quoted value
 * keeps its quotes, so the parameter re-serializes exactly). Insertion order is kept.
 */
export type Params = Map<string, string | null>;

/** gen-value = token / host / quoted-string: token characters plus those of an IPv6 reference. */
function isValueChar(c: number): boolean {
  return isTokenChar(c) || c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */;
}

/**
 * Parses `*( SEMI generic-param )` starting at s[i]; returns the index where parameters end
 * (end of string or the first character that cannot start another parameter). `out` is
 * usually a Params map; anything with `set` works, for headers that repeat a name.
 */
export function parseParams(s: string, i: number, out: Pick<Params, 'set'>, header: string): number {
  for (;;) {
    i = skipWs(s, i);
    if (i >= s.length || s.charCodeAt(i) !== 59 /* ; */) return i;
    i = skipWs(s, i + 1);
    const nameEnd = scanToken(s, i);
    if (nameEnd === i) throw new SipParseError(`Bad ${header} header: empty parameter`, header);
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipWs(s, nameEnd);
    let value: string | null = null;
    if (i < s.length && s.charCodeAt(i) === 61 /* = */) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 34) {
        const end = scanQuoted(s, i);
        if (end < 0) throw new SipParseError(`Bad ${header} header: unterminated quoted string`, header);
        value = s.slice(i, end);
        i = end;
      } else {
        const start = i;
        while (i < s.length && isValueChar(s.charCodeAt(i))) i++;
        if (i === start)
          throw new SipParseError(`Bad ${header} header: parameter '${name}' has no value`, header);
        value = s.slice(start, i);
      }
    }
    out.set(name, value);
  }
}

/** The value of a parameter with quotes removed; null for a flag parameter, undefined if absent. */
export function paramValue(params: Params, name: string): string | null | undefined {
  const v = params.get(name);
  if (v === undefined || v === null) return v;
  return v.charCodeAt(0) === 34 ? unquote(v) : v;
}

/** Serializes parameters as `;name=value...` (values as stored). */
export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
