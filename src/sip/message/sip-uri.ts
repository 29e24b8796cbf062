/**
 * SIP and SIPS URIs, RFC 3261 §19.1 (grammar §25.1), IPv6 references per RFC 5118.
 *
 * Parsed URIs keep their source text: `toString()` returns it byte-exact until a field, a
 * parameter or a header is changed, then the canonical form of `formatSipUri()`. Parameters and
 * headers are split into Maps only when first read, so a URI that is parsed and passed on costs
 * one object and two or three slices.
 */
import { SipParseError } from './errors.ts';
import {
  C_HNV,
  C_HOST,
  C_PARAM,
  C_PASSWORD,
  C_USER,
  escapeUriPart,
  isHostname,
  isIPv4,
  isValidHost,
  normalizeEscapes,
  parseIPv6,
  scanClass,
  URI_CHAR,
  UriParamMap,
  unescapeUriPart,
} from './uri-lexis.ts';

const bad = (what: string): SipParseError => new SipParseError(`Bad SIP URI: ${what}`);

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
const BAD_PARAM = 'Bad SIP URI: invalid parameter';
const BAD_HEADER = 'Bad SIP URI: invalid header';

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
  #scheme0: SipUri['scheme'] = 'sip';
  #user0: string | undefined = undefined;
  #password0: string | undefined = undefined;
  #host0 = '';
  #port0: number | undefined = undefined;

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
    if ((text.charCodeAt(0) | 32) !== 115 || (text.charCodeAt(1) | 32) !== 105) throw bad('scheme');
    if ((text.charCodeAt(2) | 32) !== 112) throw bad('scheme');
    if ((text.charCodeAt(3) | 32) === 115) {
      scheme = 'sips';
      i = 5;
    }
    if (text.charCodeAt(i - 1) !== 58) throw bad('scheme');
    if (i >= n) throw bad('missing host');
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
      if (userEnd === i || scanClass(text, i, userEnd, C_USER, 'Bad SIP URI: invalid user') !== userEnd)
        throw bad('invalid user');
      u.user = text.slice(i, userEnd);
      if (colon >= 0) {
        if (scanClass(text, colon + 1, j, C_PASSWORD, 'Bad SIP URI: invalid password') !== j)
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
    while (text.charCodeAt(i) === 59) {
      const nameEnd = scanClass(text, i + 1, n, C_PARAM, BAD_PARAM);
      if (nameEnd === i + 1) throw new SipParseError(BAD_PARAM);
      // DEVIATION: an empty pvalue (`;lr=`) is accepted as '' although pvalue = 1*paramchar.
      i = text.charCodeAt(nameEnd) === 61 ? scanClass(text, nameEnd + 1, n, C_PARAM, BAD_PARAM) : nameEnd;
    }
    // headers = "?" header *( "&" header ); header = hname "=" hvalue
    u.#headersAt = i;
    if (text.charCodeAt(i) === 63) {
      do {
        const nameEnd = scanClass(text, i + 1, n, C_HNV, BAD_HEADER);
        if (nameEnd === i + 1 || text.charCodeAt(nameEnd) !== 61) throw new SipParseError(BAD_HEADER);
        i = scanClass(text, nameEnd + 1, n, C_HNV, BAD_HEADER);
      } while (text.charCodeAt(i) === 38);
    }
    if (i !== n) throw bad(i === u.#paramsAt ? 'invalid host or port' : 'invalid character');
    u.#src = text;
    u.#text = text;
    u.#snapshot();
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
        let eq = i + 1;
        while (eq < next && s.charCodeAt(eq) !== 61) eq++;
        if (eq < next) m.load(s.slice(i + 1, eq).toLowerCase(), s.slice(eq + 1, next));
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
    if (
      t !== undefined &&
      this.#host0 === this.host &&
      this.#user0 === this.user &&
      this.#port0 === this.port &&
      this.#scheme0 === this.scheme &&
      this.#password0 === this.password
    )
      return t;
    const text = formatSipUri(this);
    this.#text = text;
    this.#snapshot();
    return text;
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
  #snapshot(): void {
    this.#scheme0 = this.scheme;
    this.#user0 = this.user;
    this.#password0 = this.password;
    this.#host0 = this.host;
    this.#port0 = this.port;
  }
}

/** Parses a SIP or SIPS URI (RFC 3261 §19.1); throws SipParseError('Bad SIP URI: ...'). */
export function parseSipUri(text: string): SipUri {
  return SipUri.parse(text);
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
