/**
 * SIP and SIPS URIs, RFC 3261 §19.1 (grammar §25.1), IPv6 references per RFC 5118.
 *
 * Parsed URIs keep their source text: `toString()` returns it byte-exact until a field, a
 * parameter or a header is changed, then the canonical form of `formatSipUri()`. Parameters and
 * headers are split into Maps only when first read, so a URI that is parsed and passed on costs
 * one object and two or three slices.
 */
import { SipParseError } from './errors.ts';

// Character classes of RFC 3261 §25.1, one bit each ('%' is in every escapable class and is
// checked as `escaped = "%" HEXDIG HEXDIG` by scan()).
export const C_USER = 1;
export const C_PASSWORD = 2;
export const C_PARAM = 4;
export const C_HNV = 8;
export const C_HOST = 16;
export const C_HEX = 32;
export const C_ALPHA = 64;
export const C_DIGIT = 128;
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

const bad = (what: string): SipParseError => new SipParseError(`Bad SIP URI: ${what}`);

/** @internal Index of the first code unit in [i, end) outside `bits`; throws on a bad escape. */
export function scanClass(s: string, i: number, end: number, bits: number, err: () => SipParseError): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((URI_CHAR[c]! & bits) === 0) return i;
    if (c === 37) {
      if (i + 2 >= end || !(URI_CHAR[s.charCodeAt(i + 1)]! & C_HEX && URI_CHAR[s.charCodeAt(i + 2)]! & C_HEX))
        throw err();
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
  const w: number[] = out ?? [];
  w.length = 0;
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
      v = v * 16 + Number.parseInt(s[k]!, 16);
    }
    if (s.charCodeAt(k) === 46 && k < end) {
      if (w.length > 6 || !isIPv4(s, i, end)) return false;
      const b = s.slice(i, end).split('.').map(Number);
      w.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      i = end;
      break;
    }
    if (k === i || k - i > 4 || w.length === 8) return false;
    w.push(v);
    i = k;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    if (s.charCodeAt(i + 1) === 58) {
      if (gap >= 0) return false;
      gap = w.length;
      i += 2;
    } else if (++i === end) return false;
  }
  if (gap < 0 ? w.length !== 8 : w.length > 7) return false;
  if (gap >= 0) w.splice(gap, 0, ...new Array<number>(8 - w.length).fill(0));
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

/** Fields of a URI built in code; `host` may be a bare IPv6 address, brackets are added. */
export interface SipUriInit {
  scheme?: 'sip' | 'sips';
  /** As it goes on the wire; characters not allowed in a user part are escaped when formatted. */
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params?: Iterable<readonly [string, string | null]>;
  headers?: Iterable<readonly [string, string]>;
}

const LOADING: SipUriInit = { host: '' };

/**
 * A SIP or SIPS URI. Build one with `new SipUri({ host: '127.0.0.1', port: 5060, params: [['lr', null]] })`
 * or parse one with `parseSipUri()`. Fields are plain and writable; compare with `sipUriEquals()`
 * (not `deepEqual`: parameters and headers are behind getters).
 */
export class SipUri {
  scheme: 'sip' | 'sips' = 'sip';
  /** As written, escapes kept (`unescapedUser` decodes them). */
  user: string | undefined = undefined;
  password: string | undefined = undefined;
  /** As written; an IPv6 reference keeps its brackets. */
  host = '';
  port: number | undefined = undefined;
  #params: UriParamMap<string | null> | undefined = undefined;
  #headers: UriParamMap<string> | undefined = undefined;
  /** Source text of a parsed URI, and where its parameters and headers start in it. */
  #src = '';
  #paramsAt = 0;
  #headersAt = 0;
  /** Cached serialization, valid while the scalar fields equal the snapshot below. */
  #text: string | undefined = undefined;
  #was: [SipUri['scheme'], string | undefined, string | undefined, string, number | undefined] | undefined;

  constructor(init: SipUriInit) {
    if (init === LOADING) return;
    if (init.scheme !== undefined) this.scheme = init.scheme;
    this.user = init.user === '' ? undefined : init.user;
    this.password = init.password;
    let host = init.host;
    if (host.includes(':') && host.charCodeAt(0) !== 91) host = `[${host}]`;
    if (!isValidHost(host)) throw bad('invalid host');
    this.host = host;
    if (init.port !== undefined && !(Number.isInteger(init.port) && init.port >= 0 && init.port <= 65535))
      throw bad('invalid port');
    this.port = init.port;
    const params = this.params;
    for (const [k, v] of init.params ?? []) params.set(k, v);
    const headers = this.headers;
    for (const [k, v] of init.headers ?? []) headers.set(k, v);
  }

  /** Parses `sip:` / `sips:` (scheme case-insensitive); throws SipParseError. */
  static parse(text: string): SipUri {
    const n = text.length;
    let i = 4;
    let scheme: SipUri['scheme'] = 'sip';
    if (n < 5 || (text.charCodeAt(0) | 32) !== 115 || (text.charCodeAt(1) | 32) !== 105) throw bad('scheme');
    if ((text.charCodeAt(2) | 32) !== 112) throw bad('scheme');
    if ((text.charCodeAt(3) | 32) === 115) {
      scheme = 'sips';
      i = 5;
    }
    if (text.charCodeAt(i - 1) !== 58) throw bad('scheme');
    const u = new SipUri(LOADING);
    u.scheme = scheme;
    // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@": present iff an '@'
    // ends a run of characters allowed in userinfo.
    let j = i;
    let colon = -1;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 58) {
        if (colon < 0) colon = j;
      } else if ((URI_CHAR[c]! & C_USER) === 0) break;
    }
    if (j < n && text.charCodeAt(j) === 64) {
      const userEnd = colon < 0 ? j : colon;
      if (userEnd === i || scanClass(text, i, userEnd, C_USER, () => bad('invalid user')) !== userEnd)
        throw bad('invalid user');
      u.user = text.slice(i, userEnd);
      if (colon >= 0) {
        if (scanClass(text, colon + 1, j, C_PASSWORD, () => bad('invalid password')) !== j)
          throw bad('invalid password');
        u.password = text.slice(colon + 1, j);
      }
      i = j + 1;
    }
    // host = hostname / IPv4address / IPv6reference
    let hostEnd = i;
    if (text.charCodeAt(i) === 91) {
      hostEnd = text.indexOf(']', i) + 1;
      if (hostEnd === 0 || !parseIPv6(text, i + 1, hostEnd - 1)) throw bad('invalid IPv6 reference');
    } else {
      while (hostEnd < n && URI_CHAR[text.charCodeAt(hostEnd)]! & C_HOST) hostEnd++;
      if (!isIPv4(text, i, hostEnd) && !isHostname(text, i, hostEnd)) throw bad('invalid host');
    }
    u.host = text.slice(i, hostEnd);
    i = hostEnd;
    if (text.charCodeAt(i) === 58) {
      let port = 0;
      let k = i + 1;
      for (; k < n; k++) {
        const d = text.charCodeAt(k) - 48;
        if (d < 0 || d > 9) break;
        port = port * 10 + d;
        if (port > 65535) throw bad('invalid port');
      }
      if (k === i + 1) throw bad('invalid port');
      u.port = port;
      i = k;
    }
    // uri-parameters = *( ";" pname [ "=" pvalue ] )
    u.#paramsAt = i;
    const badParam = () => bad('invalid parameter');
    while (text.charCodeAt(i) === 59) {
      const nameEnd = scanClass(text, i + 1, n, C_PARAM, badParam);
      if (nameEnd === i + 1) throw badParam();
      // DEVIATION: an empty pvalue (`;lr=`) is accepted as '' although pvalue = 1*paramchar.
      i = text.charCodeAt(nameEnd) === 61 ? scanClass(text, nameEnd + 1, n, C_PARAM, badParam) : nameEnd;
    }
    // headers = "?" header *( "&" header ); header = hname "=" hvalue
    u.#headersAt = i;
    if (text.charCodeAt(i) === 63) {
      const badHeader = () => bad('invalid header');
      do {
        const nameEnd = scanClass(text, i + 1, n, C_HNV, badHeader);
        if (nameEnd === i + 1 || text.charCodeAt(nameEnd) !== 61) throw badHeader();
        i = scanClass(text, nameEnd + 1, n, C_HNV, badHeader);
      } while (text.charCodeAt(i) === 38);
    }
    if (i !== n) throw bad(i === u.#paramsAt ? 'invalid host or port' : 'invalid character');
    u.#src = text;
    u.#text = text;
    u.#was = [scheme, u.user, u.password, u.host, u.port];
    return u;
  }

  /** uri-parameters, names lowercased, in order of appearance; changing it changes toString(). */
  get params(): Map<string, string | null> {
    if (this.#params === undefined) {
      const m = new UriParamMap<string | null>(true, () => this.#changed());
      const s = this.#src;
      const end = this.#headersAt;
      for (let i = this.#paramsAt; i < end; ) {
        let next = s.indexOf(';', i + 1);
        if (next < 0 || next > end) next = end;
        const eq = s.indexOf('=', i + 1);
        if (eq > 0 && eq < next) m.load(s.slice(i + 1, eq).toLowerCase(), s.slice(eq + 1, next));
        else m.load(s.slice(i + 1, next).toLowerCase(), null);
        i = next;
      }
      this.#params = m;
    }
    return this.#params;
  }
  set params(value: Iterable<readonly [string, string | null]>) {
    const m = new UriParamMap<string | null>(true, () => this.#changed());
    for (const [k, v] of value) m.load(k.toLowerCase(), v);
    this.#params = m;
    this.#changed();
  }

  /** URI headers (`?name=value&...`), names as written, values escaped as written. */
  get headers(): Map<string, string> {
    if (this.#headers === undefined) {
      const m = new UriParamMap<string>(false, () => this.#changed());
      const s = this.#src;
      for (let i = this.#headersAt; i < s.length; ) {
        let next = s.indexOf('&', i + 1);
        if (next < 0) next = s.length;
        const eq = s.indexOf('=', i + 1);
        m.load(s.slice(i + 1, eq), s.slice(eq + 1, next));
        i = next;
      }
      this.#headers = m;
    }
    return this.#headers;
  }
  set headers(value: Iterable<readonly [string, string]>) {
    const m = new UriParamMap<string>(false, () => this.#changed());
    for (const [k, v] of value) m.load(k, v);
    this.#headers = m;
    this.#changed();
  }

  /** Value of a uri-parameter (name case-insensitive): null when it has no value, undefined when absent. */
  param(name: string): string | null | undefined {
    return this.params.get(name);
  }
  hasParam(name: string): boolean {
    return this.params.has(name);
  }
  /** The user part with escapes decoded. */
  get unescapedUser(): string | undefined {
    return this.user === undefined ? undefined : unescapeUriPart(this.user);
  }

  /** The source text while unmodified, else the canonical form (formatSipUri). */
  toString(): string {
    const t = this.#text;
    const w = this.#was;
    if (
      t !== undefined &&
      w !== undefined &&
      w[0] === this.scheme &&
      w[1] === this.user &&
      w[2] === this.password &&
      w[3] === this.host &&
      w[4] === this.port
    )
      return t;
    this.#text = formatSipUri(this);
    this.#was = [this.scheme, this.user, this.password, this.host, this.port];
    return this.#text;
  }
  toJSON(): string {
    return this.toString();
  }
  clone(): SipUri {
    return SipUri.parse(this.toString());
  }

  #changed(): void {
    this.#text = undefined;
  }
}

/** Parses a SIP or SIPS URI (RFC 3261 §19.1); throws SipParseError('Bad SIP URI: ...'). */
export function parseSipUri(text: string): SipUri {
  return SipUri.parse(text);
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

/** Canonical text of a URI: lowercase scheme, decimal port, everything escaped as the grammar needs. */
export function formatSipUri(u: SipUri): string {
  let s = `${u.scheme}:`;
  if (u.user !== undefined) {
    // RFC 3261 §25.1 has no '#' in a user part: the canonical form escapes it.
    const user = escapeUriPart(u.user, C_USER);
    s += user.includes('#') ? user.replaceAll('#', '%23') : user;
    if (u.password !== undefined) s += `:${escapeUriPart(u.password, C_PASSWORD)}`;
    s += '@';
  }
  s += u.host;
  if (u.port !== undefined) s += `:${u.port}`;
  for (const [k, v] of u.params) {
    s += `;${escapeUriPart(k, C_PARAM)}`;
    if (v !== null) s += `=${escapeUriPart(v, C_PARAM)}`;
  }
  let sep = '?';
  for (const [k, v] of u.headers) {
    s += `${sep}${escapeUriPart(k, C_HNV)}=${escapeUriPart(v, C_HNV)}`;
    sep = '&';
  }
  return s;
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

function hostEquals(a: string, b: string): boolean {
  if (a.length === b.length && a.toLowerCase() === b.toLowerCase()) return true;
  // The same IPv6 address may be written in several ways (RFC 5952 §2).
  if (a.charCodeAt(0) !== 91 || b.charCodeAt(0) !== 91) return false;
  const wa: number[] = [];
  const wb: number[] = [];
  return (
    parseIPv6(a, 1, a.length - 1, wa) && parseIPv6(b, 1, b.length - 1, wb) && wa.every((w, k) => w === wb[k])
  );
}

// RFC 3261 §19.1.4: these parameters never match when present in one URI only.
const MATCH_IF_ABSENT_IN_ONE = new Set(['user', 'ttl', 'method', 'maddr', 'transport']);

function escapedEquals(a: string | undefined, b: string | undefined, lower: boolean): boolean {
  if (a === b) return true;
  return a !== undefined && b !== undefined && normalizeEscapes(a, lower) === normalizeEscapes(b, lower);
}

/** SIP/SIPS URI equivalence, RFC 3261 §19.1.4. */
export function sipUriEquals(a: SipUri, b: SipUri): boolean {
  // "A SIP and SIPS URI are never equivalent."
  if (a.scheme !== b.scheme) return false;
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive"; a URI omitting the user
  // (password) component does not match one that includes it.
  if (!escapedEquals(a.user, b.user, false) || !escapedEquals(a.password, b.password, false)) return false;
  // "For two URIs to be equal, the user, password, host, and port components must match"; an
  // omitted port does not match an explicit 5060.
  if (a.port !== b.port || !hostEquals(a.host, b.host)) return false;
  // "Any uri-parameter appearing in both URIs must match"; user, ttl, method, maddr and transport
  // appearing in one only never match; other parameters in one only are ignored.
  const pa = a.params;
  const pb = b.params;
  for (const [name, va] of pa) {
    if (pb.has(name)) {
      const vb = pb.get(name) ?? null;
      if ((va === null) !== (vb === null) || !escapedEquals(va ?? '', vb ?? '', true)) return false;
    } else if (MATCH_IF_ABSENT_IN_ONE.has(name)) return false;
  }
  for (const name of pb.keys()) if (!pa.has(name) && MATCH_IF_ABSENT_IN_ONE.has(name)) return false;
  // "URI header components are never ignored": the same set of headers, in any order. Names
  // compare case-insensitively; values case-sensitively (header-specific rules are not applied).
  const ha = a.headers;
  const hb = b.headers;
  if (ha.size !== hb.size) return false;
  if (ha.size === 0) return true;
  const keys = new Set<string>();
  for (const [n, v] of hb) keys.add(`${normalizeEscapes(n, true)}=${normalizeEscapes(v, false)}`);
  for (const [n, v] of ha)
    if (!keys.has(`${normalizeEscapes(n, true)}=${normalizeEscapes(v, false)}`)) return false;
  return true;
}
