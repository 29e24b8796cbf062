/**
 * LIR/LIA: user location query, TS 29.228 §6.1.4 (detailed behaviour §6.1.4.1), messages
 * TS 29.229 §6.1.5-6.1.6. The I-CSCF asks, for a request towards a public identity (or PSI),
 * which S-CSCF serves it, or which capabilities the S-CSCF it picks for unregistered services
 * must have.
 */
import {
  type CxAnswer,
  type LocationInfoAnswer,
  type LocationInfoRequest,
  OriginatingRequest,
  UserAuthorizationType,
} from '../../diameter/apps/cx.ts';
import { ProfilePartIndicator } from '../../ims/ifc/model.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import { serverCapabilities } from './cx-uar.ts';
import type { HssContext } from './hss-context.ts';
import { isPsi, type PublicIdentity, type Subscription } from './model.ts';

type Lia = CxAnswer<LocationInfoAnswer>;

export function registerLocationInfo(ctx: HssContext): void {
  ctx.cx.onLocationInfo((req) => locationInfo(ctx, req));
}

export async function locationInfo(ctx: HssContext, req: LocationInfoRequest): Promise<Lia> {
  // Step 1: the identity (or a wildcarded PSI/IMPU it falls under, TS 23.003 §13.5) is known.
  const match = await ctx.store.getSubscriptionByImpu(req.publicIdentity);
  if (match === undefined) return experimental(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN) as Lia;
  const { subscription, publicIdentity } = match;
  // TS 29.229 §6.3.35: the wildcard that matched goes back with the answer.
  const base: Partial<Lia> = match.wildcarded ? { wildcardedPublicIdentity: publicIdentity.impu } : {};
  const answer = (body: Partial<Lia>) => ({ ...base, ...body }) as Lia;

  // A barred identity takes no sessions (TS 29.228 Annex B.2.1, TS 23.228 §4.3.3.4).
  if (publicIdentity.barringIndication) return answer(result(ResultCode.DIAMETER_AUTHORIZATION_REJECTED));

  // REGISTRATION_AND_CAPABILITIES (IMS restoration, TS 29.229 §6.3.24): the I-CSCF re-selects.
  if (req.userAuthorizationType === UserAuthorizationType.REGISTRATION_AND_CAPABILITIES)
    return answer({ ...success(), ...serverCapabilities(subscription) });

  const state = publicIdentity.registrationState ?? 'NOT_REGISTERED';
  const assigned = subscription.serverAssignment?.scscfName;
  // Step 2: registered, or unregistered with an S-CSCF assigned: that S-CSCF.
  if (state !== 'NOT_REGISTERED' && assigned !== undefined)
    return answer({ ...success(), serverName: assigned });

  // Step 3: not registered. Only services for unregistered users (or a PSI, or an originating
  // request on behalf of the user: Originating-Request, TS 29.229 §6.3.34) need an S-CSCF.
  const originating = req.originatingRequest === OriginatingRequest.ORIGINATING;
  if (!originating && !(await hasUnregisteredServices(ctx, subscription, publicIdentity)))
    return answer(experimental(ExperimentalResultCode.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED));
  // An S-CSCF keeps the profile (stored name): it takes the request.
  if (assigned !== undefined) return answer({ ...success(), serverName: assigned });
  // TS 29.229 §6.2.1.3 DIAMETER_UNREGISTERED_SERVICE: the I-CSCF selects by capabilities.
  return answer({
    ...experimental(ExperimentalResultCode.DIAMETER_UNREGISTERED_SERVICE),
    ...serverCapabilities(subscription),
  });
}

/**
 * Whether the identity has services for the unregistered state: a PSI (hosted by its AS), or an
 * iFC of its service profile (shared sets included) whose ProfilePartIndicator is UNREGISTERED
 * or absent (TS 29.228 Annex B.2.2: absent means both states).
 */
async function hasUnregisteredServices(
  ctx: HssContext,
  subscription: Subscription,
  publicIdentity: PublicIdentity,
): Promise<boolean> {
  if (isPsi(publicIdentity.identityType)) return true;
  const profile = subscription.serviceProfiles.find((sp) => sp.id === publicIdentity.serviceProfileId);
  if (profile === undefined) return false;
  const forUnregistered = (ifcs: { profilePartIndicator?: ProfilePartIndicator }[]) =>
    ifcs.some((i) => i.profilePartIndicator !== ProfilePartIndicator.REGISTERED);
  if (forUnregistered(profile.initialFilterCriteria)) return true;
  for (const id of profile.sharedIfcSetIds ?? []) {
    const set = await ctx.store.getSharedIfcSet(id);
    if (set !== undefined && forUnregistered(set.initialFilterCriteria)) return true;
  }
  return false;
}
