import {
  AUTHENTICATION_INFO,
  AUTHORIZATION,
  PROXY_AUTHENTICATE,
  PROXY_AUTHORIZATION,
  WWW_AUTHENTICATE,
} from './auth-header.ts';
import { CONTACT } from './contact.ts';
import { SipParseError } from './errors.ts';
import type { HeaderSpec } from './headers.ts';
import { ACCEPT, CONTENT_TYPE } from './media-type.ts';
import {
  FROM,
  P_ASSERTED_IDENTITY,
  P_ASSOCIATED_URI,
  P_CALLED_PARTY_ID,
  P_PREFERRED_IDENTITY,
  P_SERVED_USER,
  PATH,
  RECORD_ROUTE,
  REFER_TO,
  REFERRED_BY,
  REPLY_TO,
  ROUTE,
  SERVICE_ROUTE,
  TO,
} from './name-addr.ts';
import {
  P_ACCESS_NETWORK_INFO,
  P_CHARGING_FUNCTION_ADDRESSES,
  P_CHARGING_VECTOR,
  P_VISITED_NETWORK_ID,
} from './p-headers.ts';
import {
  ALLOW,
  ALLOW_EVENTS,
  CALL_ID,
  CONTENT_LENGTH,
  CSEQ,
  DATE,
  EXPIRES,
  MAX_FORWARDS,
  MIN_EXPIRES,
  PROXY_REQUIRE,
  REQUIRE,
  RETRY_AFTER,
  RSEQ,
  SUPPORTED,
  UNSUPPORTED,
  WARNING,
} from './scalars.ts';
import { SECURITY_CLIENT, SECURITY_SERVER, SECURITY_VERIFY } from './security-mechanism.ts';
import type { SipRequest } from './sip-request.ts';
import type { SipResponse } from './sip-response.ts';
import { VIA } from './via.ts';

/** Every header this layer has a typed parser for. */
export const HEADER_SPECS: readonly HeaderSpec<unknown>[] = [
  VIA,
  FROM,
  TO,
  CALL_ID,
  CSEQ,
  MAX_FORWARDS,
  CONTENT_LENGTH,
  CONTENT_TYPE,
  ACCEPT,
  EXPIRES,
  MIN_EXPIRES,
  CONTACT,
  ROUTE,
  RECORD_ROUTE,
  PATH,
  SERVICE_ROUTE,
  SUPPORTED,
  REQUIRE,
  PROXY_REQUIRE,
  UNSUPPORTED,
  ALLOW,
  ALLOW_EVENTS,
  DATE,
  RETRY_AFTER,
  WARNING,
  RSEQ,
  WWW_AUTHENTICATE,
  PROXY_AUTHENTICATE,
  AUTHORIZATION,
  PROXY_AUTHORIZATION,
  AUTHENTICATION_INFO,
  SECURITY_CLIENT,
  SECURITY_SERVER,
  SECURITY_VERIFY,
  P_ASSERTED_IDENTITY,
  P_PREFERRED_IDENTITY,
  P_ASSOCIATED_URI,
  P_CALLED_PARTY_ID,
  P_SERVED_USER,
  P_VISITED_NETWORK_ID,
  P_ACCESS_NETWORK_INFO,
  P_CHARGING_VECTOR,
  P_CHARGING_FUNCTION_ADDRESSES,
  REFER_TO,
  REFERRED_BY,
  REPLY_TO,
];

/** RFC 3261 §7.3.1: headers that may appear once only (their grammar has no list). */
const SINGLE = ['To', 'From', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires'];

/** RFC 3261 §8.1.1: the headers every request and response carries. */
const MANDATORY = ['To', 'From', 'CSeq', 'Call-ID', 'Via'];

export interface ValidateOptions {
  /**
   * Check only these typed headers (and the URIs of From, To and Contact when listed): what
   * the endpoint reads, so checking costs nothing the handler would not spend anyway (parse
   * results are cached on the message). Default: every header with a typed parser.
   */
  headers?: readonly HeaderSpec<unknown>[];
}

/**
 * Checks a whole message as an endpoint must before acting on it (RFC 3261 §8.2): the
 * mandatory headers, single-valued headers appearing once, and every header with a typed
 * parser well-formed, URIs included. Throws SipParseError naming the first problem.
 */
export function validateMessage(m: SipRequest | SipResponse, options: ValidateOptions = {}): void {
  try {
    validateAll(m, options.headers ?? HEADER_SPECS);
  } catch (err) {
    if (err instanceof SipParseError) {
      err.kind = m.isRequest ? 'request' : 'response';
      err.headers = m.headers;
    }
    throw err;
  }
}

function validateAll(m: SipRequest | SipResponse, specs: readonly HeaderSpec<unknown>[]): void {
  const h = m.headers;
  for (const name of MANDATORY) {
    if (!h.has(name)) throw new SipParseError(`Missing ${name} header`, name);
  }
  for (const name of SINGLE) {
    if (h.fieldsOf(name).length > 1) throw new SipParseError(`Multiple ${name} headers`, name);
  }
  for (const spec of specs) {
    if (h.has(spec.name)) h.parsed(spec);
  }
  if (m.isRequest) void m.uri;
  if (specs.includes(FROM)) void m.from.uri;
  if (specs.includes(TO)) void m.to.uri;
  if (specs.includes(CONTACT)) for (const c of m.contacts) if (c !== '*') void c.uri;
}
