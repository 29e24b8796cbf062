/**
 * SAR/SAA: S-CSCF registration and de-registration notification, TS 29.228 §6.1.2 (detailed
 * behaviour §6.1.2.1), messages TS 29.229 §6.1.3-6.1.4. The S-CSCF tells the HSS what became of
 * the user (Server-Assignment-Type, TS 29.229 §6.3.15); the HSS records the registration state
 * of the implicit registration set and the S-CSCF name (registration.ts), and downloads the
 * user profile where one is needed.
 */
import {
  type CxAnswer,
  MultipleRegistrationIndication,
  ServerAssignmentType as Sat,
  type ServerAssignmentAnswer,
  type ServerAssignmentRequest,
  UserDataAlreadyAvailable,
} from '../../diameter/apps/cx.ts';
import { StoreError } from '../../store/store-error.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import { identitiesMatch, mismatchCode } from './identities.ts';
import {
  implicitRegistrationSetOf,
  isPsi,
  publicIdentitiesOf,
  type RegistrationView,
  type ServerAssignment,
  type Subscription,
} from './model.ts';
import { applyRegistration, type RegistrationChange } from './registration.ts';
import { inBackground, notifyRegistrationChanges } from './sh-pnr.ts';
import {
  chargingInformation,
  SHARED_IFC_SETS_FEATURE,
  supportsSharedIfcSets,
  userData,
} from './user-data-download.ts';

type Saa = CxAnswer<ServerAssignmentAnswer>;

const DEREGISTRATIONS: readonly number[] = [
  Sat.TIMEOUT_DEREGISTRATION,
  Sat.USER_DEREGISTRATION,
  Sat.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME,
  Sat.USER_DEREGISTRATION_STORE_SERVER_NAME,
  Sat.ADMINISTRATIVE_DEREGISTRATION,
  Sat.DEREGISTRATION_TOO_MUCH_DATA,
];
const STORE_SERVER_NAME: readonly number[] = [
  Sat.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME,
  Sat.USER_DEREGISTRATION_STORE_SERVER_NAME,
];

/** What a SAR is about, once its identities are checked. */
interface Assignment {
  req: ServerAssignmentRequest;
  subscription: Subscription;
  /** The public identity asked about (stored form; the wildcard when matched through one). */
  impu: string | undefined;
  wildcard: string | undefined;
  /** The identities the assignment applies to: the implicit registration set (TS 29.228 §6.5.1). */
  targets: string[];
  scscf: ServerAssignment;
}

export function registerServerAssignment(ctx: HssContext): void {
  ctx.cx.onServerAssignment((req) => serverAssignment(ctx, req));
}

export async function serverAssignment(ctx: HssContext, req: ServerAssignmentRequest): Promise<Saa> {
  const type = req.serverAssignmentType;
  // AAA_USER_DATA_REQUEST and PGW_UPDATE belong to SWx (TS 29.273), not to Cx.
  if (type === Sat.AAA_USER_DATA_REQUEST || type === Sat.PGW_UPDATE)
    return experimental(ExperimentalResultCode.DIAMETER_ERROR_IN_ASSIGNMENT_TYPE) as Saa;
  // RESTORATION needs the IMS Restoration feature (TS 29.229 §7.2.1), which this HSS lacks.
  if (type === Sat.RESTORATION)
    return experimental(ExperimentalResultCode.DIAMETER_ERROR_FEATURE_UNSUPPORTED) as Saa;
  if (type > Sat.RESTORATION) return result(ResultCode.DIAMETER_INVALID_AVP_VALUE) as Saa;

  const found = await findAssignment(ctx, req);
  if ('answer' in found) return found.answer;
  const a = found.assignment;
  const assigned = a.subscription.serverAssignment;
  switch (type) {
    case Sat.NO_ASSIGNMENT:
      // The S-CSCF asks for the profile of a user it serves; only the assigned one may.
      if (assigned?.scscfName !== req.serverName) return result(ResultCode.DIAMETER_UNABLE_TO_COMPLY) as Saa;
      return withProfile(ctx, a, success(), true);
    case Sat.REGISTRATION:
    case Sat.RE_REGISTRATION: {
      if (req.userName === undefined) return result(ResultCode.DIAMETER_MISSING_AVP) as Saa;
      if (a.impu !== undefined && isPsiIdentity(a.subscription, a.impu))
        return experimental(ExperimentalResultCode.DIAMETER_ERROR_IN_ASSIGNMENT_TYPE) as Saa;
      const view = await register(ctx, a, {
        state: 'REGISTERED',
        privateIdentity: req.userName,
        serverAssignment: a.scscf,
      });
      const body: Partial<Saa> = { ...success() };
      // TS 29.228 §6.1.2.1: the IMPIs registered with the identity, when the S-CSCF asks.
      if (req.multipleRegistrationIndication === MultipleRegistrationIndication.MULTIPLE_REGISTRATION) {
        const reg = view.publicIdentities.find((r) => r.impu === (a.impu ?? a.targets[0]));
        body.associatedRegisteredIdentities = { userName: reg?.registeredPrivateIdentities ?? [] };
      }
      const download = req.userDataAlreadyAvailable !== UserDataAlreadyAvailable.USER_DATA_ALREADY_AVAILABLE;
      return withProfile(ctx, a, body, download || assigned?.scscfName !== req.serverName);
    }
    case Sat.UNREGISTERED_USER: {
      // A request for an identity not registered (terminating, or originating unregistered).
      const state = registrationState(a.subscription, a.impu ?? a.targets[0]);
      if (state !== 'NOT_REGISTERED' && assigned !== undefined && assigned.scscfName !== req.serverName)
        return {
          ...experimental(ExperimentalResultCode.DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED),
          serverName: assigned.scscfName,
        } as Saa;
      if (state !== 'REGISTERED')
        await register(ctx, a, { state: 'UNREGISTERED', serverAssignment: a.scscf });
      const download = req.userDataAlreadyAvailable !== UserDataAlreadyAvailable.USER_DATA_ALREADY_AVAILABLE;
      return withProfile(ctx, a, success(), download || assigned?.scscfName !== req.serverName);
    }
    case Sat.AUTHENTICATION_FAILURE:
    case Sat.AUTHENTICATION_TIMEOUT:
      // The S-CSCF name stored by the MAR goes, unless the user is registered there already.
      if (a.targets.length > 0)
        await update(ctx, a, (v) =>
          v.serverAssignment?.scscfName === req.serverName &&
          v.publicIdentities.every((r) => r.registrationState === 'NOT_REGISTERED')
            ? { subscriptionId: v.subscriptionId, publicIdentities: v.publicIdentities }
            : undefined,
        );
      return success() as Saa;
    default:
      return deregistration(ctx, a);
  }
}

/** TS 29.229 §6.3.15 de-registration types: the IMPI (or all) leave the identities' registration. */
async function deregistration(ctx: HssContext, a: Assignment): Promise<Saa> {
  const { req } = a;
  const assigned = a.subscription.serverAssignment;
  if (!DEREGISTRATIONS.includes(req.serverAssignmentType))
    return result(ResultCode.DIAMETER_INVALID_AVP_VALUE) as Saa;
  // DEVIATION: a de-registration from an S-CSCF that no longer serves the user (another one took
  // over) is acknowledged without undoing the newer registration; TS 29.228 does not say.
  if (assigned !== undefined && assigned.scscfName !== req.serverName) {
    ctx.log.info(
      { from: req.serverName, assigned: assigned.scscfName },
      'SAR de-registration from a former S-CSCF ignored',
    );
    return success() as Saa;
  }
  const storeName = STORE_SERVER_NAME.includes(req.serverAssignmentType);
  const keep = storeName && ctx.config.cx.keepServerNameOnDeregistration;
  if (a.targets.length > 0) {
    const administrative = req.serverAssignmentType === Sat.ADMINISTRATIVE_DEREGISTRATION;
    await register(ctx, a, {
      state: 'NOT_REGISTERED',
      ...(req.userName !== undefined && !administrative ? { privateIdentity: req.userName } : {}),
      keepServerName: keep,
    });
  }
  // TS 29.229 §6.2.1.4: the HSS did not keep the S-CSCF name it was asked to keep.
  if (storeName && !keep)
    return experimental(ExperimentalResultCode.DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED) as Saa;
  return success() as Saa;
}

/**
 * Finds the subscription by Public-Identity (or Wildcarded-Public-Identity), else by User-Name,
 * and checks that they belong together (TS 29.228 §6.1.2.1): USER_UNKNOWN, IDENTITIES_DONT_MATCH.
 */
async function findAssignment(
  ctx: HssContext,
  req: ServerAssignmentRequest,
): Promise<{ assignment: Assignment } | { answer: Saa }> {
  const impi = req.userName;
  const requested = req.publicIdentity?.[0] ?? req.wildcardedPublicIdentity;
  const unknown = { answer: experimental(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN) as Saa };
  let subscription: Subscription | undefined;
  let impu: string | undefined;
  let wildcard: string | undefined;
  if (requested !== undefined) {
    const match = await ctx.store.getSubscriptionByImpu(requested);
    if (match === undefined) return unknown;
    subscription = match.subscription;
    impu = match.publicIdentity.impu;
    if (match.wildcarded || req.wildcardedPublicIdentity !== undefined) wildcard = impu;
  } else if (impi !== undefined) {
    subscription = await ctx.store.getSubscriptionByImpi(impi);
    if (subscription === undefined) return unknown;
  } else {
    return { answer: result(ResultCode.DIAMETER_MISSING_AVP) as Saa };
  }
  if (impi !== undefined) {
    if (!subscription.privateIdentities.some((p) => p.impi === impi))
      return { answer: experimental(await mismatchCode(ctx.store, impi, requested ?? '')) as Saa };
    if (
      impu !== undefined &&
      !isPsiIdentity(subscription, impu) &&
      !identitiesMatch(subscription, impi, impu)
    )
      return { answer: experimental(ExperimentalResultCode.DIAMETER_ERROR_IDENTITIES_DONT_MATCH) as Saa };
  }
  let targets: string[];
  if (impu !== undefined) targets = implicitRegistrationSetOf(subscription, impu);
  else if (DEREGISTRATIONS.includes(req.serverAssignmentType))
    // User-Name alone: every identity registered with that IMPI.
    targets = subscription.publicIdentities
      .filter((p) => p.registeredPrivateIdentities?.includes(impi ?? ''))
      .map((p) => p.impu);
  else {
    const first = publicIdentitiesOf(subscription, impi ?? '')[0];
    targets = first === undefined ? [] : implicitRegistrationSetOf(subscription, first);
  }
  const scscf: ServerAssignment = {
    scscfName: req.serverName,
    diameterHost: req.originHost,
    diameterRealm: req.originRealm,
  };
  return { assignment: { req, subscription, impu, wildcard, targets, scscf } };
}

/** Applies a registration change to the targets in one store call, and notifies Sh subscribers. */
async function register(
  ctx: HssContext,
  a: Assignment,
  change: RegistrationChange,
): Promise<RegistrationView> {
  return update(ctx, a, (v) => applyRegistration(v, a.targets, change));
}

async function update(
  ctx: HssContext,
  a: Assignment,
  fn: (current: RegistrationView) => RegistrationView | undefined,
): Promise<RegistrationView> {
  const key = a.impu ?? a.targets[0];
  if (key === undefined) throw new StoreError('NOT_FOUND', 'no public identity to update');
  const view = await ctx.store.updateRegistration(key, fn);
  inBackground(ctx, 'Sh notifications', notifyRegistrationChanges(ctx, a.subscription, view));
  return view;
}

/** Adds what a successful SAA carries: User-Name, User-Data, Charging-Information, associated IMPIs. */
async function withProfile(
  ctx: HssContext,
  a: Assignment,
  body: Partial<Saa>,
  download: boolean,
): Promise<Saa> {
  const { req, subscription } = a;
  const impi =
    req.userName ??
    subscription.privateIdentities.find((p) => identitiesMatch(subscription, p.impi, a.impu ?? ''))?.impi;
  const answer: Partial<Saa> = { ...body };
  if (impi !== undefined) answer.userName = impi;
  const sharedIfcSets = supportsSharedIfcSets(req.supportedFeatures);
  if (sharedIfcSets) answer.supportedFeatures = [SHARED_IFC_SETS_FEATURE];
  if (download && a.targets.length > 0)
    answer.userData = await userData(ctx, subscription, a.targets, {
      ...(impi !== undefined ? { privateIdentity: impi } : {}),
      sharedIfcSets,
    });
  const charging = chargingInformation(subscription);
  if (charging !== undefined) answer.chargingInformation = charging;
  // TS 29.229 §6.3.33: the other private identities of the IMS subscription.
  if (subscription.privateIdentities.length > 1)
    answer.associatedIdentities = { userName: subscription.privateIdentities.map((p) => p.impi) };
  if (a.wildcard !== undefined) answer.wildcardedPublicIdentity = a.wildcard;
  return answer as Saa;
}

function registrationState(subscription: Subscription, impu: string | undefined) {
  return subscription.publicIdentities.find((p) => p.impu === impu)?.registrationState ?? 'NOT_REGISTERED';
}

function isPsiIdentity(subscription: Subscription, impu: string): boolean {
  const pu = subscription.publicIdentities.find((p) => p.impu === impu);
  return pu !== undefined && isPsi(pu.identityType);
}
