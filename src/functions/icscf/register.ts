/**
 * REGISTER at the I-CSCF, TS 24.229 §5.3.1: the user registration status query (Cx UAR,
 * TS 29.228 §6.1.1), the S-CSCF named by the HSS or selected by capabilities (TS 23.228
 * §5.8.1), the REGISTER forwarded there unchanged but for a Route; and §5.3.1.3: when that
 * S-CSCF does not answer or fails, a UAR with REGISTRATION_AND_CAPABILITIES and another one.
 */
import { type UserAuthorizationAnswer, UserAuthorizationType } from '../../diameter/apps/cx.ts';
import { ExperimentalResultCode, ResultCode } from '../../diameter/result-code.ts';
import { normalizePublicIdentity } from '../../ims/identity.ts';
import { IdentityError } from '../../ims/identity-error.ts';
import {
  AUTHORIZATION,
  P_VISITED_NETWORK_ID,
  type SipRequest,
  type SipResponse,
  SipUri,
} from '../../sip/message/index.ts';
import type { ProxyTarget, RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import type { CxOutcome } from './cx-queries.ts';
import { type IcscfContext, isHomeDomain, scscfTarget } from './icscf-context.ts';
import { sameServer } from './scscf-selection.ts';

/** TS 29.229 §6.3.44 UAR-Flags bit 0: IMS Emergency Registration. */
const UAR_FLAG_EMERGENCY = 0x1;

/** What one REGISTER keeps between its UAR and a re-selection (in RequestContext.data). */
interface RegisterState {
  userName: string;
  publicIdentity: string;
  visitedNetworkIdentifier: Buffer;
  uarFlags: number;
  /** S-CSCFs this REGISTER was sent to, first first. */
  tried: string[];
}

const STATE = 'icscf.register';

type Refusal = Extract<RoutingDecision, { action: 'respond' }>;
const refuse = (status: number, reason?: string): Refusal => ({
  action: 'respond',
  status,
  ...(reason ? { reason } : {}),
});

export async function routeRegister(ctx: IcscfContext, context: RequestContext): Promise<RoutingDecision> {
  const { request } = context;
  // DEVIATION: TS 24.229 §5.3.1.2 has the I-CSCF refuse REGISTERs from untrusted domains
  // (TS 33.210 network domain security); trust is left to the network's perimeter here.
  const target = request.uri;
  if (!(target instanceof SipUri) || !isHomeDomain(ctx.config, target.host))
    return refuse(403, 'Domain Not Served Here');
  let publicIdentity: string;
  try {
    publicIdentity = normalizePublicIdentity(request.to.uri.toString());
  } catch (err) {
    if (err instanceof IdentityError) return refuse(400, 'Bad Public Identity In To');
    throw err;
  }
  const state: RegisterState = {
    userName: privateIdentity(request, publicIdentity, ctx),
    publicIdentity,
    visitedNetworkIdentifier: Buffer.from(visitedNetwork(request, target.host)),
    uarFlags: isEmergency(request) ? UAR_FLAG_EMERGENCY : 0,
    tried: [],
  };
  context.data[STATE] = state;
  // TS 24.229 §5.3.1.2: DE_REGISTRATION when the REGISTER removes the registration.
  const type = isDeregistration(request)
    ? UserAuthorizationType.DE_REGISTRATION
    : UserAuthorizationType.REGISTRATION;
  const outcome = await uar(ctx, state, type);
  const decision = decide(ctx, state, outcome);
  if ('scscf' in decision) return forward(ctx, context, state, decision.scscf);
  return decision;
}

/**
 * TS 24.229 §5.3.1.3: the S-CSCF did not answer, answered 3xx or 480, or failed (5xx, a
 * transport error): UAR with REGISTRATION_AND_CAPABILITIES and an S-CSCF not tried yet.
 */
export async function reselectForRegister(
  ctx: IcscfContext,
  response: SipResponse,
  context: RequestContext,
): Promise<ProxyTarget[] | undefined> {
  const state = context.data[STATE] as RegisterState | undefined;
  const status = response.status;
  if (!state || !(status === 408 || status === 480 || (status >= 300 && status < 400) || status >= 500))
    return undefined;
  const failed = state.tried[state.tried.length - 1];
  if (failed !== undefined && (status === 408 || status >= 500)) ctx.selector.markFailed(failed);
  ctx.logger.info({ scscf: failed, status, impu: state.publicIdentity }, 'S-CSCF failed: selecting another');
  const outcome = await uar(ctx, state, UserAuthorizationType.REGISTRATION_AND_CAPABILITIES);
  const decision = decide(ctx, state, outcome);
  if (!('scscf' in decision)) return undefined;
  return [forward(ctx, context, state, decision.scscf).targets[0]!];
}

/** The S-CSCF answered the REGISTER: it is alive. */
export function registerAnswered(ctx: IcscfContext, response: SipResponse, context: RequestContext): void {
  const state = context.data[STATE] as RegisterState | undefined;
  const last = state?.tried[state.tried.length - 1];
  if (last !== undefined && response.status < 500 && response.status !== 408) ctx.selector.markAnswered(last);
}

function uar(ctx: IcscfContext, state: RegisterState, type: number) {
  return ctx.cx.userAuthorization({
    userName: state.userName,
    publicIdentity: state.publicIdentity,
    visitedNetworkIdentifier: state.visitedNetworkIdentifier,
    userAuthorizationType: type,
    ...(state.uarFlags ? { uarFlags: state.uarFlags } : {}),
  });
}

/** The UAA mapped onto an S-CSCF to use, or a response (TS 24.229 §5.3.1.2, §5.3.1.3). */
function decide(
  ctx: IcscfContext,
  state: RegisterState,
  outcome: CxOutcome<UserAuthorizationAnswer>,
): { scscf: string } | Refusal {
  // TS 24.229 §5.3.1.2: "If the user registration status query procedure cannot be
  // completed, e.g. due to timeout or incorrect information from the HSS", 480.
  if (!outcome.completed) return refuse(480, 'HSS Unavailable');
  const { answer, result } = outcome;
  if (!result.success) {
    ctx.logger.info({ impu: state.publicIdentity, code: result.code }, 'UAR refused');
    return refusal(result.code);
  }
  const tried = (name: string) => state.tried.some((t) => sameServer(t, name));
  // TS 29.229 §6.2.1.2 DIAMETER_SUBSEQUENT_REGISTRATION (or a stored name with any success):
  // the S-CSCF serving the user, unless it is the one that just failed.
  if (answer.serverName !== undefined && !tried(answer.serverName)) return { scscf: answer.serverName };
  // TS 29.229 §6.2.1.1 DIAMETER_FIRST_REGISTRATION, or REGISTRATION_AND_CAPABILITIES: select
  // by Server-Capabilities (none: any S-CSCF will do).
  const known =
    result.code === ExperimentalResultCode.DIAMETER_FIRST_REGISTRATION ||
    result.code === ExperimentalResultCode.DIAMETER_SUBSEQUENT_REGISTRATION ||
    result.code === ResultCode.DIAMETER_SUCCESS;
  if (!known) return refuse(480, 'Unexpected HSS Answer');
  const scscf = ctx.selector.select(answer.serverCapabilities, state.tried);
  // TS 24.229 §5.3.1.3 (TS 23.228 §5.2.2.3): no S-CSCF can take the user.
  if (scscf === undefined) return refuse(600, 'No S-CSCF Available');
  return { scscf };
}

/** TS 24.229 §5.3.1.2: the HSS's refusals of a registration are answered with 403 (Forbidden). */
function refusal(code: number): Refusal {
  switch (code) {
    case ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN:
      return refuse(403, 'Unknown User');
    case ExperimentalResultCode.DIAMETER_ERROR_IDENTITIES_DONT_MATCH:
      return refuse(403, 'Identities Do Not Match');
    case ResultCode.DIAMETER_AUTHORIZATION_REJECTED:
      return refuse(403, 'Registration Not Authorized');
    case ExperimentalResultCode.DIAMETER_ERROR_ROAMING_NOT_ALLOWED:
      return refuse(403, 'Roaming Not Allowed');
    case ExperimentalResultCode.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED:
      // A de-registration of an identity that is not registered.
      return refuse(403, 'Not Registered');
    default:
      // DIAMETER_UNABLE_TO_COMPLY, DIAMETER_TOO_BUSY...: the query could not be completed.
      return refuse(480, 'HSS Unavailable');
  }
}

function forward(ctx: IcscfContext, context: RequestContext, state: RegisterState, scscf: string) {
  state.tried.push(scscf);
  ctx.logger.debug({ impu: state.publicIdentity, scscf }, 'REGISTER to S-CSCF');
  // TS 24.229 §5.3.1.2: the Request-URI stays; the S-CSCF is reached by a Route to it; the
  // I-CSCF does not add itself to the Path.
  const target = scscfTarget(context.request.uri, scscf, [], ctx.config.scscfTimeoutMs);
  return { action: 'forward' as const, targets: [target] };
}

/**
 * The IMPI: the Authorization username (the one for a home realm if several), else derived
 * from the To IMPU by removing the scheme, port and parameters (TS 24.229 §5.3.1.2).
 */
function privateIdentity(request: SipRequest, publicIdentity: string, ctx: IcscfContext): string {
  const credentials = request.all(AUTHORIZATION).filter((a) => a.params.username);
  const home = credentials.find((a) => a.params.realm && isHomeDomain(ctx.config, a.params.realm));
  const username = (home ?? credentials[0])?.params.username;
  if (username) return username;
  const withoutScheme = publicIdentity.slice(publicIdentity.indexOf(':') + 1).split(';')[0]!;
  return withoutScheme.replace(/:\d+$/, '');
}

/** Visited-Network-Identifier: P-Visited-Network-ID (TS 24.229 §5.3.1.2), else the home domain. */
function visitedNetwork(request: SipRequest, homeDomain: string): string {
  return request.first(P_VISITED_NETWORK_ID)?.value ?? homeDomain;
}

/** Expires 0 on the request or on every Contact, or Contact: * (RFC 3261 §10.2.2). */
function isDeregistration(request: SipRequest): boolean {
  const contacts = request.contacts;
  if (contacts.some((c) => c === '*')) return true;
  if (contacts.length === 0) return false;
  return contacts.every((c) => {
    if (c === '*') return true;
    const e = c.param('expires');
    return e !== undefined && e !== null ? Number(e) === 0 : request.expires === 0;
  });
}

/** TS 24.229 §5.1.6.2: an emergency registration carries the "sos" parameter in its Contact. */
function isEmergency(request: SipRequest): boolean {
  return request.contacts.some((c) => c !== '*' && c.uri instanceof SipUri && c.uri.hasParam('sos'));
}
