/**
 * How the S-CSCF reads identities out of a request: the public identities a Request-URI
 * stands for (TS 23.003 §13.4: sip:+E164@domain;user=phone is the number too), the E.164
 * number to look up in ENUM, the user part of a Route naming us.
 */
import { e164Of, normalizePublicIdentity } from '../../../ims/identity.ts';
import {
  isSipUri,
  isTelUri,
  type NameAddr,
  P_ASSERTED_IDENTITY,
  type SipRequest,
  type Uri,
} from '../../../sip/message/index.ts';

/** The canonical public identities a URI may be registered as, most specific first. */
export function identityCandidates(uri: Uri): string[] {
  const out: string[] = [];
  try {
    if (isSipUri(uri) || isTelUri(uri)) out.push(normalizePublicIdentity(uri.toString()));
  } catch {
    // Not a valid public identity (e.g. a local tel number): nothing to look up under it.
  }
  const number = e164Of(uri);
  if (number !== undefined && isSipUri(uri)) out.push(`tel:${number}`);
  return out;
}

/** The user part of a Route value naming this S-CSCF (`orig`, an ODI token), or undefined. */
export function routeUser(route: NameAddr): string | undefined {
  try {
    const uri = route.uri;
    return isSipUri(uri) ? uri.user : undefined;
  } catch {
    return undefined;
  }
}

/** The P-Asserted-Identity URIs of a request in canonical form (TS 24.229 §5.4.3.2 step 1). */
export function assertedIdentities(request: SipRequest): string[] {
  try {
    return request.headers.parsed(P_ASSERTED_IDENTITY).flatMap((pai) => identityCandidates(pai.uri));
  } catch {
    // An unparsable identity asserts nothing.
    return [];
  }
}

/**
 * TS 24.229 §5.4.3.2 (and the flows of TR 24.228 §5.1): a request asserting only a SIP URI of a
 * served user who also has a tel URI gets that tel URI as a second P-Asserted-Identity (RFC 3325
 * §9.1: one SIP and one tel at most), so that a network breaking out to the PSTN, or a callee
 * showing a number, has one. The tel URI is the first unbarred one of the user's implicit set.
 */
export function addTelIdentity(
  request: SipRequest,
  identities: readonly string[],
  barred: readonly string[],
): void {
  let asserted: NameAddr[];
  try {
    asserted = request.headers.parsed(P_ASSERTED_IDENTITY);
  } catch {
    return;
  }
  if (asserted.length !== 1 || !isSipUri(asserted[0]!.uri)) return;
  const tel = identities.find((i) => i.startsWith('tel:') && !barred.includes(i));
  if (tel !== undefined) request.headers.append('P-Asserted-Identity', `<${tel}>`);
}
