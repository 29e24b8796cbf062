/**
 * The lexis shared by the SIP and tel URI parsers: RFC 3261 §25.1 character classes, escapes,
 * host validation (RFC 3261, RFC 5118 IPv6, RFC 5954 IPv4) and a case-insensitive param map.
 */
import { SipParseError } from './errors.ts';
// Character classes of RFC 3261 §25.1, one bit each ('%' is in every escapable class and is
// checked as `escaped = "%" HEXDIG HEXDIG` by scanClass()).
export const C_USER = 1;
export const C_PASSWORD = 2;
export const C_PARAM = 4;
export const C_HNV = 8;
export const C_HOST = 16;
const C_HEX = 32;
const C_ALPHA = 64;
const C_DIGIT = 128;
/** @internal Class bits per UTF-16 code unit; 0 for anything outside ASCII. */
export const URI_CHAR = new Uint8Array(65536);

function addClass(chars: string, bits: number): void {
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    URI_CHAR[c] = (URI_CHAR[c] ?? 0) | bits;
  }
}
const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGIT = '0123456789';
const UNRESERVED = `${ALPHA}${DIGIT}-_.!~*'()%`; // unreserved = alphanum / mark, plus escaped
addClass(ALPHA, C_ALPHA);
addClass(DIGIT, C_DIGIT);
addClass(`${DIGIT}ABCDEFabcdef`, C_HEX);
// DEVIATION: '#' is accepted unescaped in the user part; terminals send `*31#...@` dial strings.
addClass(`${UNRESERVED}&=+$,;?/#`, C_USER); // user-unreserved
addClass(`${UNRESERVED}&=+$,`, C_PASSWORD);
addClass(`${UNRESERVED}[]/:&+$`, C_PARAM); // param-unreserved
addClass(`${UNRESERVED}[]/?:+$`, C_HNV); // hnv-unreserved
// DEVIATION: '_' is accepted in host names (container and lab host names use it).
addClass(`${ALPHA}${DIGIT}-._`, C_HOST);

/**
 * @internal Index of the first code unit in [i, end) outside `bits`; a '%' not followed by two
 * hex digits throws SipParseError(reason).
 */
export function scanClass(s: string, i: number, end: number, bits: number, reason: string): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((URI_CHAR[c]! & bits) === 0) return i;
    if (c === 37) {
      if (i + 2 >= end || !(URI_CHAR[s.charCodeAt(i + 1)]! & C_HEX && URI_CHAR[s.charCodeAt(i + 2)]! & C_HEX))
        throw new SipParseError(reason);
      i += 2;
    }
  }
  return end;
}

/** @internal IPv4address with RFC 5954 §4.1 dec-octets. */
export function isIPv4(s: string, start: number, end: number): boolean {
  let octets = 0;
  let i = start;
  while (octets < 4) {
    let v = 0;
    const from = i;
    for (; i < end && i - from < 3; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === from || v > 255) return false;
    if (++octets < 4) {
      if (s.charCodeAt(i) !== 46 || i >= end) return false;
      i++;
    }
  }
  return i === end;
}

/** @internal hostname = *( domainlabel "." ) toplabel [ "." ]; toplabel starts with ALPHA. */
export function isHostname(s: string, start: number, end: number): boolean {
  if (end > start && s.charCodeAt(end - 1) === 46) end--;
  if (end <= start) return false;
  let label = start;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (i === label || s.charCodeAt(label) === 45 || s.charCodeAt(i - 1) === 45) return false;
      if (i === end) return (URI_CHAR[s.charCodeAt(label)]! & C_ALPHA) !== 0;
      label = i + 1;
    } else if ((URI_CHAR[c]! & C_HOST) === 0) return false;
  }
  return false;
}

/**
 * @internal IPv6address of RFC 3986 §3.2.2 (as RFC 5118 §4.10 corrects RFC 3261) in [start, end),
 * without brackets. Fills `out` with the eight 16-bit words when given.
 */
export function parseIPv6(s: string, start: number, end: number, out?: number[]): boolean {
  let words = 0;
  let gap = -1;
  let i = start;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let v = 0;
    let k = i;
    for (; k < end && k - i < 5 && URI_CHAR[s.charCodeAt(k)]! & C_HEX; k++) {
      const c = s.charCodeAt(k) | 32; // '0'-'9' keep their codes, 'A'-'F' become 'a'-'f'
      v = v * 16 + (c <= 57 ? c - 48 : c - 87);
    }
    if (s.charCodeAt(k) === 46 && k < end) {
      // IPv6address ends with ls32 = ( h16 ":" h16 ) / IPv4address
      if (words > 6 || !isIPv4(s, i, end)) return false;
      if (out !== undefined) {
        const b = s.slice(i, end).split('.').map(Number);
        out[words] = (b[0]! << 8) | b[1]!;
        out[words + 1] = (b[2]! << 8) | b[3]!;
      }
      words += 2;
      i = end;
      break;
    }
    if (k === i || k - i > 4 || words === 8) return false;
    if (out !== undefined) out[words] = v;
    words++;
    i = k;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    if (s.charCodeAt(i + 1) === 58) {
      if (gap >= 0) return false;
      gap = words;
      i += 2;
    } else if (++i === end) return false;
  }
  if (gap < 0 ? words !== 8 : words > 7) return false;
  if (out !== undefined) {
    out.length = words;
    if (gap >= 0) out.splice(gap, 0, ...new Array<number>(8 - words).fill(0));
  }
  return true;
}

/** @internal Validates a host as written (brackets around IPv6). */
export function isValidHost(host: string): boolean {
  const n = host.length;
  if (host.charCodeAt(0) === 91) return host.charCodeAt(n - 1) === 93 && parseIPv6(host, 1, n - 1);
  return isIPv4(host, 0, n) || isHostname(host, 0, n);
}

/**
 * A Map that tells its owner when it changes, so the owner can drop its cached text.
 * With `lowerCaseNames`, names are lowercased on every access (uri-parameter names are
 * case-insensitive, RFC 3261 §19.1.4).
 */
export class UriParamMap<V> extends Map<string, V> {
  #onChange: (() => void) | undefined;
  readonly #lower: boolean;
  constructor(lowerCaseNames: boolean, onChange?: () => void) {
    super();
    this.#lower = lowerCaseNames;
    this.#onChange = onChange;
  }
  /** @internal Adds an entry while loading, without notifying; the first occurrence wins. */
  load(name: string, value: V): void {
    if (!super.has(name)) super.set(name, value);
  }
  override get(name: string): V | undefined {
    return super.get(this.#lower ? name.toLowerCase() : name);
  }
  override has(name: string): boolean {
    return super.has(this.#lower ? name.toLowerCase() : name);
  }
  override set(name: string, value: V): this {
    this.#onChange?.();
    return super.set(this.#lower ? name.toLowerCase() : name, value);
  }
  override delete(name: string): boolean {
    this.#onChange?.();
    return super.delete(this.#lower ? name.toLowerCase() : name);
  }
  override clear(): void {
    this.#onChange?.();
    super.clear();
  }
}

/** @internal Escapes what `bits` does not allow (UTF-8, RFC 3261 §19.1.2); keeps valid %HH. */
export function escapeUriPart(s: string, bits: number): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (URI_CHAR[c]! & bits) {
      if (c !== 37 || (URI_CHAR[s.charCodeAt(i + 1)]! & C_HEX && URI_CHAR[s.charCodeAt(i + 2)]! & C_HEX))
        continue;
    }
    const wide = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length;
    const ch = s.slice(i, wide ? i + 2 : i + 1);
    let enc: string;
    try {
      enc = c < 128 ? `%${c < 16 ? '0' : ''}${c.toString(16).toUpperCase()}` : encodeURIComponent(ch);
    } catch {
      enc = '%EF%BF%BD'; // lone surrogate
    }
    out += s.slice(last, i) + enc;
    last = i + ch.length;
    i = last - 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Decodes %HH escapes as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
export function unescapeUriPart(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes = s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) =>
      String.fromCharCode(Number.parseInt(h, 16)),
    );
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
}

// RFC 2396 §2.2 reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","; '%' is kept too.
const KEEP_ESCAPED = new Set(';/?:@&=+$,%'.split('').map((c) => c.charCodeAt(0)));

/**
 * @internal Comparison form of an escaped string, RFC 3261 §19.1.4: characters other than
 * reserved ones are equivalent to their %HH form, so those are decoded and the rest get
 * uppercase hex digits; lowercased when the component compares case-insensitively.
 */
export function normalizeEscapes(s: string, lower: boolean): string {
  let i = s.indexOf('%');
  if (i < 0) return lower ? s.toLowerCase() : s;
  let out = '';
  let last = 0;
  for (; i >= 0 && i + 2 < s.length; i = s.indexOf('%', last)) {
    const code = Number.parseInt(s.slice(i + 1, i + 3), 16);
    if (Number.isNaN(code)) break;
    out += s.slice(last, i);
    out +=
      code < 128 && !KEEP_ESCAPED.has(code) ? String.fromCharCode(code) : s.slice(i, i + 3).toUpperCase();
    last = i + 3;
  }
  out += s.slice(last);
  return lower ? out.toLowerCase() : out;
}
