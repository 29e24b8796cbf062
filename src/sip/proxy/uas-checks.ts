import {
  REQUIRE,
  SipParseError,
  type SipRequest,
  type ValidateOptions,
  validateMessage,
} from '../message/index.ts';
import type { RoutingDecision } from './proxy-policy.ts';
import type { Refusal } from './request-checks.ts';

/**
 * RFC 3261 §8.2: an element answering a request as its UAS (a registrar, an OPTIONS to
 * itself) checks it first, where a proxy only checks what forwarding needs (§16.3 step 1).
 * A malformed request gets 400 with the reason naming the problem (§21.4.1). `options.headers`
 * limits the check to the headers the handler reads (they are parsed once, cached).
 */
export function validationRefusal(request: SipRequest, options?: ValidateOptions): Refusal | undefined {
  try {
    validateMessage(request, options);
    return undefined;
  } catch (err) {
    if (err instanceof SipParseError) return { status: 400, reason: err.phrase };
    throw err;
  }
}

/**
 * RFC 3261 §8.2.2.3: "If the UAS does not understand an option-tag listed in a Require header
 * field, it MUST respond by generating a response with status code 420 (Bad Extension). The
 * UAS MUST add an Unsupported header field".
 */
export function requireRefusal(request: SipRequest, supported: readonly string[]): Refusal | undefined {
  const known = new Set(supported.map((t) => t.toLowerCase()));
  const unsupported = request.all(REQUIRE).filter((t) => !known.has(t.toLowerCase()));
  if (unsupported.length === 0) return undefined;
  return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
}

/** What an element says about itself in a 200 to OPTIONS. */
export interface OwnCapabilities {
  /** The Allow value: methods this element handles. */
  allow: string;
  /** Option tags this element supports as a UAS (also what Require may ask for). */
  supported: readonly string[];
}

/**
 * RFC 3261 §11.2: an OPTIONS addressed to this element, answered as its UAS: 400 when it is
 * malformed (§8.2), 420 when it requires an extension we lack (§8.2.2.3), else 200 with
 * Allow and Supported (left out when there is no option tag to list).
 */
export function answerOptions(
  request: SipRequest,
  own: OwnCapabilities,
): Extract<RoutingDecision, { action: 'respond' }> {
  const refusal = validationRefusal(request) ?? requireRefusal(request, own.supported);
  if (refusal) return { action: 'respond', ...refusal };
  const headers: [string, string][] = [['Allow', own.allow]];
  if (own.supported.length > 0) headers.push(['Supported', own.supported.join(', ')]);
  return { action: 'respond', status: 200, headers };
}
