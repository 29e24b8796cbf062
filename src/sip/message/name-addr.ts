import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { isToken, isWs, quote, scanQuoted, skipWs, unquote } from './lex.ts';
import { formatParams, type Params, paramValue, parseParams } from './params.ts';
import { parseUri, type Uri } from './uri.ts';

/**
 * An address with optional display name and header parameters: the value of From, To,
 * Contact, Route, Record-Route, Path, Service-Route and the identity P-headers.
 * RFC 3261 §20.10 and §25.1: `( name-addr / addr-spec ) *( SEMI param )`.
 * The URI is parsed only when first read (`uri`), so forwarding never pays for it.
 */
export class NameAddr {
  private parsedUri: Uri | undefined;

  constructor(
    /** The URI as written between < and > (or the bare addr-spec). */
    public uriText: string,
    /** Display name, unquoted; undefined when there is none. */
    public displayName: string | undefined = undefined,
    /** Header parameters (after the URI), lowercased names, values as written. */
    public params: Params = new Map(),
    /** Header the value came from, for error messages. */
    readonly header = 'address',
  ) {}

  /** Builds a name-addr from a URI object. */
  static of(uri: Uri, displayName?: string, params?: Iterable<readonly [string, string | null]>): NameAddr {
    const na = new NameAddr(uri.toString(), displayName, new Map(params));
    na.parsedUri = uri;
    return na;
  }

  /** The URI, parsed on first use; a bad URI throws SipParseError naming the header. */
  get uri(): Uri {
    if (!this.parsedUri) {
      try {
        this.parsedUri = parseUri(this.uriText);
      } catch (err) {
        if (err instanceof SipParseError)
          throw new SipParseError(`Bad ${this.header} header: ${err.reason}`, this.header);
        throw err;
      }
    }
    return this.parsedUri;
  }

  set uri(uri: Uri) {
    this.parsedUri = uri;
    this.uriText = uri.toString();
  }

  /** RFC 3261 §19.3: the tag of From and To. */
  get tag(): string | undefined {
    return paramValue(this.params, 'tag') ?? undefined;
  }

  set tag(tag: string | undefined) {
    if (tag === undefined) this.params.delete('tag');
    else this.params.set('tag', tag);
  }

  /** Parameter value with quotes removed; null for a flag, undefined when absent. */
  param(name: string): string | null | undefined {
    return paramValue(this.params, name);
  }

  /** Always the name-addr form, which is valid wherever an address is (RFC 3261 §20.10). */
  toString(): string {
    const dn =
      this.displayName === undefined
        ? ''
        : `${isDisplayToken(this.displayName) ? this.displayName : quote(this.displayName)} `;
    return `${dn}<${this.uriText}>${formatParams(this.params)}`;
  }
}

/** Display names that are a sequence of tokens can be written without quotes. */
function isDisplayToken(dn: string): boolean {
  return dn.length > 0 && dn.split(' ').every(isToken);
}

function bad(header: string, what: string): SipParseError {
  return new SipParseError(`Bad ${header} header: ${what}`, header);
}

/** Index of the '<' opening a name-addr, or -1 for an addr-spec (a ';' or '"' comes first). */
function findAngle(s: string, i: number): number {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 60) return i;
    if (c === 59 || c === 34) return -1;
  }
  return -1;
}

/**
 * Parses one address value. `header` names it in errors; the value is one list element
 * (list headers are split before this is called).
 */
export function parseNameAddr(s: string, header: string): NameAddr {
  let i = skipWs(s, 0);
  let displayName: string | undefined;
  let uriText: string;
  const c = s.charCodeAt(i);
  const lt = c === 34 ? -1 : findAngle(s, i);
  if (c === 34 /* " */) {
    const end = scanQuoted(s, i);
    if (end < 0) throw bad(header, 'unterminated quoted display name');
    displayName = unquote(s.slice(i, end));
    i = skipWs(s, end);
    if (s.charCodeAt(i) !== 60) throw bad(header, "expected '<' after display name");
  } else if (lt >= 0) {
    // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string
    const words = s.slice(i, lt).trim();
    if (words.length > 0) {
      const parts = words.split(/[ \t]+/);
      if (!parts.every(isToken)) throw bad(header, 'display name must be tokens or a quoted string');
      displayName = parts.join(' ');
    }
    i = lt;
  }
  if (s.charCodeAt(i) === 60 /* < */) {
    const gt = s.indexOf('>', i);
    if (gt < 0) throw bad(header, "missing '>'");
    uriText = s.slice(i + 1, gt);
    if (uriText.length === 0) throw bad(header, 'empty URI');
    if (isWs(uriText.charCodeAt(0)) || isWs(uriText.charCodeAt(uriText.length - 1))) {
      throw bad(header, "white space inside '<' '>'");
    }
    i = gt + 1;
  } else {
    // RFC 3261 §20.10: an addr-spec form URI ends at the first ';' (those are header
    // parameters) and cannot hold ',', '?' or ';' of its own.
    const start = i;
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (ch === 59 || isWs(ch)) break;
      if (ch === 63 /* ? */ || ch === 44 /* , */) throw bad(header, "URI with '?' or ',' must be in '<' '>'");
      i++;
    }
    uriText = s.slice(start, i);
    if (uriText.length === 0) throw bad(header, 'missing URI');
  }
  const params: Params = new Map();
  i = parseParams(s, i, params, header);
  if (skipWs(s, i) !== s.length) throw bad(header, `unexpected '${s[i]}'`);
  return new NameAddr(uriText, displayName, params, header);
}

/** A HeaderSpec whose values are addresses. */
export function addressSpec(name: string): HeaderSpec<NameAddr> {
  return { name, parse: (v) => parseNameAddr(v, name) };
}

export const FROM = addressSpec('From');
export const TO = addressSpec('To');
export const ROUTE = addressSpec('Route');
export const RECORD_ROUTE = addressSpec('Record-Route');
/** RFC 3327 */
export const PATH = addressSpec('Path');
/** RFC 3608 */
export const SERVICE_ROUTE = addressSpec('Service-Route');
/** RFC 3325 §9.1, RFC 7315 */
export const P_ASSERTED_IDENTITY = addressSpec('P-Asserted-Identity');
export const P_PREFERRED_IDENTITY = addressSpec('P-Preferred-Identity');
/** RFC 7315 §4.1 */
export const P_ASSOCIATED_URI = addressSpec('P-Associated-URI');
/** RFC 7315 §4.2 */
export const P_CALLED_PARTY_ID = addressSpec('P-Called-Party-ID');
/** RFC 5502 */
export const P_SERVED_USER = addressSpec('P-Served-User');
export const REFER_TO = addressSpec('Refer-To');
export const REFERRED_BY = addressSpec('Referred-By');
export const REPLY_TO = addressSpec('Reply-To');
