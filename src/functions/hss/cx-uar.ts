/**
 * UAR/UAA: user registration status query, TS 29.228 §6.1.1 (detailed behaviour §6.1.1.1),
 * messages TS 29.229 §6.1.1-6.1.2. The I-CSCF asks, for a REGISTER, whether the user may
 * register from where it is and which S-CSCF serves it, or which capabilities the S-CSCF it
 * picks must have.
 */
import {
  type CxAnswer,
  type ServerCapabilities as ServerCapabilitiesAvp,
  type UserAuthorizationAnswer,
  type UserAuthorizationRequest,
  UserAuthorizationType,
} from '../../diameter/apps/cx.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import { identitiesMatch, mismatchCode, visitedNetwork } from './identities.ts';
import { implicitRegistrationSetOf, isPsi, type Subscription } from './model.ts';

type Uaa = CxAnswer<UserAuthorizationAnswer>;

/** TS 29.229 §6.3.44 UAR-Flags, bit 0: IMS Emergency Registration. */
const UAR_FLAG_EMERGENCY = 0x1;

export function registerUserAuthorization(ctx: HssContext): void {
  ctx.cx.onUserAuthorization((req) => userAuthorization(ctx, req));
}

export async function userAuthorization(ctx: HssContext, req: UserAuthorizationRequest): Promise<Uaa> {
  const impi = req.userName;
  // TS 29.229 §6.3.24: an absent User-Authorization-Type means REGISTRATION.
  const type = req.userAuthorizationType ?? UserAuthorizationType.REGISTRATION;
  const emergency = ((req.uarFlags ?? 0) & UAR_FLAG_EMERGENCY) !== 0;
  const answer = (body: Partial<Uaa>): Uaa => body as Uaa;

  // Steps 1-2: both identities exist and belong together, else USER_UNKNOWN / IDENTITIES_DONT_MATCH.
  const match = await ctx.store.getSubscriptionByImpu(req.publicIdentity);
  if (match === undefined || !identitiesMatch(match.subscription, impi, match.publicIdentity.impu)) {
    return answer(experimental(await mismatchCode(ctx.store, impi, req.publicIdentity)));
  }
  const { subscription, publicIdentity } = match;
  // DEVIATION: TS 29.228 leaves open what a REGISTER for an identity that only falls under a
  // wildcarded IMPU gets; such identities are not registered on their own, so we refuse it.
  if (match.wildcarded || isPsi(publicIdentity.identityType))
    return answer(result(ResultCode.DIAMETER_AUTHORIZATION_REJECTED));

  // Step 3: a barred identity registers only in an emergency, or with a non-barred identity of
  // its implicit registration set (TS 29.228 §6.1.1.1, TS 23.228 §4.3.3.4). Checked for
  // registrations: a registered identity barred since may still de-register.
  if (!emergency && type !== UserAuthorizationType.DE_REGISTRATION && publicIdentity.barringIndication) {
    const set = implicitRegistrationSetOf(subscription, publicIdentity.impu);
    const usable = subscription.publicIdentities.some((p) => set.includes(p.impu) && !p.barringIndication);
    if (!usable) return answer(result(ResultCode.DIAMETER_AUTHORIZATION_REJECTED));
  }

  // Step 4: roaming, checked for registrations only (not for de-registration, not in an emergency).
  if (type !== UserAuthorizationType.DE_REGISTRATION && !emergency) {
    if (!roamingAllowed(ctx, visitedNetwork(req.visitedNetworkIdentifier)))
      return answer(experimental(ExperimentalResultCode.DIAMETER_ERROR_ROAMING_NOT_ALLOWED));
  }

  // REGISTRATION_AND_CAPABILITIES: the I-CSCF cannot reach the assigned S-CSCF and selects anew
  // (TS 29.229 §6.3.24): capabilities only.
  if (type === UserAuthorizationType.REGISTRATION_AND_CAPABILITIES)
    return answer({ ...success(), ...serverCapabilities(subscription) });

  // Step 5: the state of the public identity decides.
  const state = publicIdentity.registrationState ?? 'NOT_REGISTERED';
  const assigned = subscription.serverAssignment?.scscfName;
  if (type === UserAuthorizationType.DE_REGISTRATION) {
    // Registered (or unregistered with an S-CSCF keeping the profile): the S-CSCF to go to.
    if (state !== 'NOT_REGISTERED' && assigned !== undefined)
      return answer({ ...success(), serverName: assigned });
    return answer(experimental(ExperimentalResultCode.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED));
  }
  // REGISTRATION. TS 29.229 §6.2.1.2 DIAMETER_SUBSEQUENT_REGISTRATION: an S-CSCF is already
  // assigned (registered, unregistered, or stored by a MAR or *_STORE_SERVER_NAME).
  if (assigned !== undefined)
    return answer({
      ...experimental(ExperimentalResultCode.DIAMETER_SUBSEQUENT_REGISTRATION),
      serverName: assigned,
    });
  // TS 29.229 §6.2.1.1 DIAMETER_FIRST_REGISTRATION: the I-CSCF selects one by capabilities.
  return answer({
    ...experimental(ExperimentalResultCode.DIAMETER_FIRST_REGISTRATION),
    ...serverCapabilities(subscription),
  });
}

/**
 * The Server-Capabilities AVP (TS 29.229 §6.3.4) of the subscription, as answer fields; none
 * when no capabilities are provisioned, so that the I-CSCF may pick any S-CSCF (an empty
 * grouped AVP says nothing more, and decoders flag it).
 */
export function serverCapabilities(subscription: Subscription): {
  serverCapabilities?: ServerCapabilitiesAvp;
} {
  const sc = subscription.serverCapabilities;
  const avp: ServerCapabilitiesAvp = {};
  if (sc?.mandatoryCapabilities.length) avp.mandatoryCapability = [...sc.mandatoryCapabilities];
  if (sc?.optionalCapabilities.length) avp.optionalCapability = [...sc.optionalCapabilities];
  if (sc?.serverNames.length) avp.serverName = [...sc.serverNames];
  return Object.keys(avp).length > 0 ? { serverCapabilities: avp } : {};
}

/** TS 29.228 §6.1.1.1 step 4: whether users may register from `network`. */
function roamingAllowed(ctx: HssContext, network: string): boolean {
  const allowed = ctx.config.cx.allowedVisitedNetworks;
  const wanted = network.toLowerCase();
  return (
    allowed.includes('*') ||
    wanted === ctx.config.diameter.originRealm.toLowerCase() ||
    allowed.some((n) => n.toLowerCase() === wanted)
  );
}
