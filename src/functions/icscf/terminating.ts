/**
 * Initial requests other than REGISTER at the I-CSCF, TS 24.229 §5.3.2.1: the user location
 * query (Cx LIR, TS 29.228 §6.1.4) for the public identity or PSI in the Request-URI, then the
 * request forwarded to the S-CSCF the HSS names, or one selected by capabilities for a user
 * with services while unregistered. §5.3.2.1A: a request an AS sends back with "orig" in the
 * Route (originating services on behalf of a user) is looked up as originating.
 */
import { type LocationInfoAnswer, OriginatingRequest } from '../../diameter/apps/cx.ts';
import { ExperimentalResultCode, ResultCode } from '../../diameter/result-code.ts';
import { e164Of, isTelephoneNumber, normalizePublicIdentity } from '../../ims/identity.ts';
import { IdentityError } from '../../ims/identity-error.ts';
import {
  P_ASSERTED_IDENTITY,
  P_SERVED_USER,
  type SipRequest,
  SipUri,
  TelUri,
} from '../../sip/message/index.ts';
import type { RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import type { CxOutcome } from './cx-queries.ts';
import { type IcscfContext, isHomeDomain, scscfTarget } from './icscf-context.ts';

/** The Wildcarded-Public-Identity of the LIA, for P-Profile-Key (in RequestContext.data). */
const WILDCARD = 'icscf.wildcard';

type Refusal = Extract<RoutingDecision, { action: 'respond' }>;
const refuse = (status: number, reason: string): Refusal => ({ action: 'respond', status, reason });

export async function routeInitial(ctx: IcscfContext, context: RequestContext): Promise<RoutingDecision> {
  const originating = context.removedRoutes.some((r) => r.uri instanceof SipUri && r.uri.hasParam('orig'));
  const identity = originating ? servedUser(context.request) : calledIdentity(ctx, context.request);
  if (typeof identity !== 'string') return identity;
  const outcome = await ctx.cx.locationInfo({
    publicIdentity: identity,
    // TS 29.229 §6.3.34: the S-CSCF is wanted for originating services.
    ...(originating ? { originatingRequest: OriginatingRequest.ORIGINATING } : {}),
  });
  if (!originating && ctx.config.bgcf !== undefined && isUnknownNumber(context.request, outcome)) {
    // TS 23.228 §5.15: an E.164 number that is not an IMS user of this network may go on
    // through the BGCF (TS 24.229 Annex I: transit after the I-CSCF procedures failed).
    ctx.logger.debug({ identity, bgcf: ctx.config.bgcf }, 'number not ours: to the BGCF');
    return { action: 'forward', targets: [scscfTarget(context.request.uri, ctx.config.bgcf)] };
  }
  const decided = decide(ctx, identity, outcome);
  if (!('scscf' in decided)) return decided;
  if (decided.wildcard !== undefined) context.data[WILDCARD] = decided.wildcard;
  ctx.logger.debug({ identity, scscf: decided.scscf, method: context.request.method }, 'request to S-CSCF');
  // TS 24.229 §5.3.2.1: Request-URI unchanged, a Route to the S-CSCF (with "orig", §5.3.2.1A).
  return {
    action: 'forward',
    targets: [scscfTarget(context.request.uri, decided.scscf, originating ? ['orig'] : [])],
  };
}

/**
 * TS 24.229 §5.3.2.1: "the I-CSCF shall insert a P-Profile-Key header field ... set to the
 * Wildcarded Public User Identity or Wildcarded PSI" the HSS returned (RFC 5002).
 */
export function addProfileKey(request: SipRequest, context: RequestContext): void {
  const wildcard = context.data[WILDCARD];
  if (typeof wildcard !== 'string') return;
  request.headers.delete('P-Profile-Key');
  request.headers.append('P-Profile-Key', `<${wildcard}>`);
}

/**
 * The public identity or PSI of the Request-URI (tel: as it is; an E.164 number in a SIP URI
 * with user=phone as its tel URI, TS 23.228 §5.15), or why it cannot be looked up.
 */
function calledIdentity(ctx: IcscfContext, request: SipRequest): string | Refusal {
  const uri = request.uri;
  if (uri instanceof SipUri) {
    if (!isHomeDomain(ctx.config, uri.host)) return refuse(404, 'Domain Not Served Here');
    const number = e164Of(uri);
    if (number !== undefined) return `tel:${number}`;
  } else if (!(uri instanceof TelUri)) {
    return refuse(416, 'Unsupported URI Scheme');
  }
  try {
    return normalizePublicIdentity(uri.toString());
  } catch (err) {
    if (err instanceof IdentityError) return refuse(404, 'Not A Public Identity');
    throw err;
  }
}

/** A tel URI (or a SIP URI with user=phone) the HSS says is nobody's. */
function isUnknownNumber(request: SipRequest, outcome: CxOutcome<LocationInfoAnswer>): boolean {
  return (
    isTelephoneNumber(request.uri) &&
    outcome.completed &&
    !outcome.result.success &&
    outcome.result.code === ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN
  );
}

/** TS 24.229 §5.3.2.1A: the served user of an originating request: P-Served-User, else P-Asserted-Identity. */
function servedUser(request: SipRequest): string | Refusal {
  const served = request.first(P_SERVED_USER) ?? request.first(P_ASSERTED_IDENTITY);
  if (!served) return refuse(403, 'No Served User');
  try {
    return normalizePublicIdentity(served.uri.toString());
  } catch (err) {
    if (err instanceof IdentityError) return refuse(403, 'Bad Served User');
    throw err;
  }
}

function decide(
  ctx: IcscfContext,
  identity: string,
  outcome: CxOutcome<LocationInfoAnswer>,
): { scscf: string; wildcard?: string } | Refusal {
  // DEVIATION: TS 24.229 §5.3.2.1 names no response for a location query that cannot be
  // completed; 480 as for the registration status query (§5.3.1.2).
  if (!outcome.completed) return refuse(480, 'HSS Unavailable');
  const { answer, result } = outcome;
  const wildcard = answer.wildcardedPublicIdentity;
  const found = (scscf: string) => ({ scscf, ...(wildcard === undefined ? {} : { wildcard }) });
  if (!result.success) {
    ctx.logger.info({ identity, code: result.code }, 'LIR refused');
    switch (result.code) {
      // TS 24.229 §5.3.2.1: "the user does not exist": 404 (Not Found).
      case ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN:
        return refuse(404, 'Not Found');
      // "not registered and no services are provided for such a user": 480.
      case ExperimentalResultCode.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED:
        return refuse(480, 'Not Registered');
      // A barred identity takes no requests (TS 23.228 §4.3.3.4): as if it did not exist.
      case ResultCode.DIAMETER_AUTHORIZATION_REJECTED:
        return refuse(404, 'Not Found');
      default:
        return refuse(480, 'HSS Unavailable');
    }
  }
  // TS 29.228 §6.1.4.1: the S-CSCF serving the identity (registered, or keeping its profile).
  if (answer.serverName !== undefined) return found(answer.serverName);
  // TS 29.229 §6.2.1.3 DIAMETER_UNREGISTERED_SERVICE: select one by capabilities.
  const scscf = ctx.selector.select(answer.serverCapabilities);
  if (scscf === undefined) return refuse(480, 'No S-CSCF Available');
  return found(scscf);
}
