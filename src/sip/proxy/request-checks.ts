import { createHash } from 'node:crypto';
import { type SipRequest, SipUri, TelUri } from '../message/index.ts';

/** A reason to answer a request instead of forwarding it. */
export interface Refusal {
  status: number;
  reason?: string;
  headers?: [string, string][];
}

export interface RequestCheckOptions {
  /** Option tags this proxy understands in Proxy-Require (RFC 3261 §16.3 step 5). */
  supportedProxyRequire?: readonly string[];
}

/**
 * RFC 3261 §16.3 request validation, steps 1 (From and To here; the rest of the syntax was
 * checked by the parser and the transaction layer), 2, 3 and 5 (step 4, loops, is `loopHash`
 * with the proxy's Via; step 6, Proxy-Authorization, belongs to the policy).
 */
export function checkRequest(request: SipRequest, options: RequestCheckOptions = {}): Refusal | undefined {
  // §16.3 step 1: the fields the proxy and its policies use must be well-formed; From and To
  // are read here, so a malformed one is refused with 400 naming it (a SipParseError) before
  // any policy decides on the request.
  void request.from.uri;
  void request.to.uri;
  // §16.3 step 2: "If the Request-URI has a URI whose scheme is not understood by the proxy,
  // the proxy SHOULD reject the request with a 416 (Unsupported URI Scheme) response."
  const uri = request.uri;
  if (!(uri instanceof SipUri) && !(uri instanceof TelUri)) return { status: 416 };
  // §16.3 step 3: "If the request does not contain a Max-Forwards header field, this check is
  // passed. If ... the field value is zero (0), the element MUST NOT forward the request."
  // OPTIONS may be answered by the proxy itself (§16.3 step 3, §11).
  if (request.maxForwards === 0) {
    return request.method === 'OPTIONS' ? { status: 200 } : { status: 483 };
  }
  // §16.3 step 5: "If the request contains a Proxy-Require header field with one or more
  // option-tags this element does not understand, the element MUST return a 420 (Bad Extension)
  // response. The response MUST include an Unsupported header field".
  const supported = new Set(options.supportedProxyRequire ?? []);
  const unsupported = request.headers.values('Proxy-Require').filter((tag) => !supported.has(tag));
  if (unsupported.length > 0) return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
  return undefined;
}

/**
 * The loop-detection part of the branches this proxy puts in its Via (RFC 3261 §16.6 step 8,
 * §16.3 step 4): a hash over what identifies the request as received, so the same request
 * coming back (a loop) gives the same value, and a spiral (changed Request-URI or Route)
 * another one.
 *
 * DEVIATION: the topmost Via is left out of the hash although §16.6 step 8 lists it: with it,
 * a request looping back through another hop never hashes the same, so no loop is ever found.
 */
export function loopHash(request: SipRequest): string {
  const h = createHash('sha1');
  h.update(request.uriText);
  h.update('\n');
  h.update(request.callId);
  h.update('\n');
  h.update(request.from.tag ?? '');
  h.update('\n');
  h.update(request.to.tag ?? '');
  h.update('\n');
  h.update(String(request.cseq.seq));
  for (const name of ['Proxy-Require', 'Proxy-Authorization', 'Route']) {
    for (const v of request.headers.values(name)) {
      h.update('\n');
      h.update(v);
    }
  }
  return h.digest('base64url').slice(0, 12);
}
