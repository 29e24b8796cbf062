/**
 * Any URI a SIP message can carry (RFC 3261 §25.1: `Request-URI = SIP-URI / SIPS-URI /
 * absoluteURI`): SIP/SIPS URIs (sip-uri.ts) and tel URIs (tel-uri.ts) are parsed, other schemes
 * kept opaque (AbsoluteUri).
 */
import { SipParseError } from './errors.ts';
import { SipUri, sipUriEquals } from './sip-uri.ts';
import { TelUri, telUriEquals } from './tel-uri.ts';

export type { SipUriInit } from './sip-uri.ts';
export { formatSipUri, parseSipUri, SipUri, sipUriEquals } from './sip-uri.ts';
export type { TelUriInit } from './tel-uri.ts';
export { formatTelUri, parseTelUri, TelUri, telUriEquals } from './tel-uri.ts';

import { normalizeEscapes } from './uri-lexis.ts';

export { unescapeUriPart } from './uri-lexis.ts';

// RFC 3986 §2: unreserved / reserved (gen-delims and sub-delims) / pct-encoded.
const URI_TEXT = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

/**
 * A URI of any other scheme (`urn:service:sos`, `mailto:`, `http:` ...), kept as written;
 * validated only as an absoluteURI (RFC 3986 §4.3).
 */
export class AbsoluteUri {
  /** Lowercased scheme, without the ':'. */
  readonly scheme: string;
  /** The URI as written. */
  readonly text: string;
  constructor(text: string) {
    if (!URI_TEXT.test(text)) throw new SipParseError('Bad URI');
    this.text = text;
    this.scheme = text.slice(0, text.indexOf(':')).toLowerCase();
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** Parses any URI, dispatching on the scheme (case-insensitive). Throws SipParseError. */
export function parseUri(text: string): Uri {
  const c0 = text.charCodeAt(0) | 32;
  const c3 = text.charCodeAt(3);
  if (c0 === 115 && (text.charCodeAt(1) | 32) === 105 && (text.charCodeAt(2) | 32) === 112) {
    // "sip:" or "sips:"
    if (c3 === 58 || ((c3 | 32) === 115 && text.charCodeAt(4) === 58)) return SipUri.parse(text);
  } else if (c0 === 116 && (text.charCodeAt(1) | 32) === 101 && (text.charCodeAt(2) | 32) === 108) {
    if (c3 === 58) return TelUri.parse(text);
  }
  return new AbsoluteUri(text);
}

export function isSipUri(u: Uri): u is SipUri {
  return u instanceof SipUri;
}
export function isTelUri(u: Uri): u is TelUri {
  return u instanceof TelUri;
}
export function isAbsoluteUri(u: Uri): u is AbsoluteUri {
  return u instanceof AbsoluteUri;
}

/**
 * URI equivalence: RFC 3261 §19.1.4 for SIP/SIPS, RFC 3966 §4 for tel, and for other schemes
 * RFC 3986 §6.2.2 (scheme case-insensitive, percent-encoding normalized, the rest as written).
 * URIs of different schemes are never equal (a `user=phone` SIP URI is not its tel URI).
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a instanceof SipUri) return b instanceof SipUri && sipUriEquals(a, b);
  if (a instanceof TelUri) return b instanceof TelUri && telUriEquals(a, b);
  if (!(b instanceof AbsoluteUri) || a.scheme !== b.scheme) return false;
  const rest = (u: AbsoluteUri) => normalizeEscapes(u.text.slice(u.scheme.length + 1), false);
  return rest(a) === rest(b);
}
