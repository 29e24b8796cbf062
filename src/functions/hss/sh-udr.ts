/**
 * UDR/UDA: data read, TS 29.328 §6.1.1 (detailed behaviour §6.1.1.1), messages TS 29.329
 * §6.1.1-6.1.2. An application server reads user data by Data-Reference (TS 29.328 §7.6):
 * RepositoryData, IMSPublicIdentity, IMSUserState, S-CSCFName, InitialFilterCriteria,
 * ChargingInformation and MSISDN. This HSS keeps no CS/PS data (LocationInformation, UserState):
 * those are DIAMETER_USER_DATA_NOT_AVAILABLE.
 */
import {
  DataReference,
  IdentitySet,
  type ShAnswer,
  type UserDataAnswer,
  type UserDataRequest,
} from '../../diameter/apps/sh.ts';
import { IdentityType } from '../../ims/identity.ts';
import type { InitialFilterCriteria } from '../../ims/ifc/model.ts';
import type { ImpuMatch } from '../../store/subscriber-store.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import { implicitRegistrationSetOf } from './model.ts';
import { permitted, resolveUserIdentity, serviceIndications } from './sh-access.ts';
import { buildShData, type ShData } from './sh-data.ts';
import { imsUserState } from './sh-pnr.ts';

type Uda = ShAnswer<UserDataAnswer>;

/** What the HSS reads for one request (UDR, or SNR with Send-Data-Indication). */
export interface ShReadRequest {
  dataReference: readonly number[];
  serviceIndication?: Buffer[];
  identitySet?: number[];
  serverName?: string;
}

export function registerUserData(ctx: HssContext): void {
  ctx.sh.onUserData((req) => userData(ctx, req));
}

export async function userData(ctx: HssContext, req: UserDataRequest): Promise<Uda> {
  // Step 1: the user exists (TS 29.328 §6.1.1.1).
  const match = await resolveUserIdentity(ctx, req.userIdentity);
  if (match === undefined) return experimental(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN) as Uda;
  // Step 2: the AS may read every Data-Reference it asks for.
  if (!(await permitted(ctx, req.originHost, 'read', req.dataReference)))
    return experimental(ExperimentalResultCode.DIAMETER_ERROR_USER_DATA_CANNOT_BE_READ) as Uda;
  const read = await readShData(ctx, match, req);
  if ('code' in read) return read.code;
  return { ...success(), ...wildcardAvps(match), userData: Buffer.from(buildShData(read.data), 'utf8') };
}

/**
 * The Sh-Data for the Data-References asked, or the answer that refuses them. Shared with SNR
 * (Send-Data-Indication, TS 29.328 §6.1.3.1).
 */
export async function readShData(
  ctx: HssContext,
  match: ImpuMatch,
  req: ShReadRequest,
): Promise<{ data: ShData } | { code: Uda }> {
  const { subscription, publicIdentity } = match;
  const impu = publicIdentity.impu;
  const data: ShData = {};
  const ims = () => {
    data.imsData ??= {};
    return data.imsData;
  };
  const identifiers = () => {
    data.publicIdentifiers ??= { imsPublicIdentities: [] };
    return data.publicIdentifiers;
  };
  for (const ref of new Set(req.dataReference)) {
    switch (ref) {
      case DataReference.RepositoryData: {
        const indications = serviceIndications(req.serviceIndication);
        // TS 29.328 §7.6.1: Service-Indication says which repository data.
        if (indications.length === 0) return { code: result(ResultCode.DIAMETER_MISSING_AVP) as Uda };
        data.repositoryData ??= [];
        for (const si of indications) {
          const rd = await ctx.store.getRepositoryData(impu, si);
          if (rd !== undefined)
            data.repositoryData.push({
              serviceIndication: si,
              sequenceNumber: rd.sequenceNumber,
              serviceData: rd.data,
            });
        }
        break;
      }
      case DataReference.IMSPublicIdentity:
        identifiers().imsPublicIdentities.push(...identitySet(match, req.identitySet));
        break;
      case DataReference.IMSUserState:
        ims().imsUserState = imsUserState(publicIdentity.registrationState);
        break;
      case DataReference['S-CSCFName']: {
        const name = subscription.serverAssignment?.scscfName;
        if (name !== undefined) ims().scscfName = name;
        else ims();
        break;
      }
      case DataReference.InitialFilterCriteria: {
        // TS 29.328 §7.6.5: only the iFCs that point at the requesting AS (its Server-Name).
        if (req.serverName === undefined) return { code: result(ResultCode.DIAMETER_MISSING_AVP) as Uda };
        ims().initialFilterCriteria = await initialFilterCriteria(ctx, match, req.serverName);
        break;
      }
      case DataReference.ChargingInformation:
        if (subscription.chargingInformation !== undefined)
          ims().chargingInformation = subscription.chargingInformation;
        else ims();
        break;
      case DataReference.MSISDN:
        identifiers().msisdns = subscription.publicIdentities
          .filter((p) => p.impu.startsWith('tel:+'))
          .map((p) => p.impu.slice(5).split(';')[0] ?? '');
        break;
      default:
        // LocationInformation, UserState (CS/PS), PSIActivation, DSAI and later additions.
        return { code: experimental(ExperimentalResultCode.DIAMETER_USER_DATA_NOT_AVAILABLE) as Uda };
    }
  }
  return { data };
}

/**
 * TS 29.328 §7.6.2 Identity-Set: which public identities of the user (ALL_IDENTITIES when
 * absent): all, the registered ones, the implicit registration set, or the aliases (same
 * AliasIdentityGroupID, else same implicit set and service profile, TS 23.228 §4.3.3.1).
 */
function identitySet(match: ImpuMatch, sets: number[] | undefined): string[] {
  const { subscription, publicIdentity } = match;
  const all = subscription.publicIdentities;
  const wanted = new Set<string>();
  const irs = implicitRegistrationSetOf(subscription, publicIdentity.impu);
  const isAlias = (p: (typeof all)[number]) =>
    publicIdentity.aliasIdentityGroupId !== undefined
      ? p.aliasIdentityGroupId === publicIdentity.aliasIdentityGroupId
      : irs.includes(p.impu) && p.serviceProfileId === publicIdentity.serviceProfileId;
  for (const set of sets?.length ? sets : [IdentitySet.ALL_IDENTITIES]) {
    for (const p of all) {
      const take =
        set === IdentitySet.ALL_IDENTITIES ||
        (set === IdentitySet.REGISTERED_IDENTITIES && p.registrationState === 'REGISTERED') ||
        (set === IdentitySet.IMPLICIT_IDENTITIES && irs.includes(p.impu)) ||
        (set === IdentitySet.ALIAS_IDENTITIES && isAlias(p));
      if (take) wanted.add(p.impu);
    }
  }
  return all.map((p) => p.impu).filter((i) => wanted.has(i));
}

async function initialFilterCriteria(
  ctx: HssContext,
  match: ImpuMatch,
  serverName: string,
): Promise<InitialFilterCriteria[]> {
  const profile = match.subscription.serviceProfiles.find(
    (sp) => sp.id === match.publicIdentity.serviceProfileId,
  );
  if (profile === undefined) return [];
  const all = [...profile.initialFilterCriteria];
  for (const id of profile.sharedIfcSetIds ?? []) {
    const set = await ctx.store.getSharedIfcSet(id);
    if (set !== undefined) all.push(...set.initialFilterCriteria);
  }
  const name = serverName.toLowerCase();
  return all
    .filter((ifc) => ifc.applicationServer.serverName.toLowerCase() === name)
    .sort((a, b) => a.priority - b.priority);
}

/** TS 29.329 §6.1.2: the wildcard an identity matched goes back (Wildcarded-Public-Identity or -IMPU). */
export function wildcardAvps(match: ImpuMatch): {
  wildcardedPublicIdentity?: string;
  wildcardedImpu?: string;
} {
  if (!match.wildcarded) return {};
  return match.publicIdentity.identityType === IdentityType.WILDCARDED_IMPU
    ? { wildcardedImpu: match.publicIdentity.impu }
    : { wildcardedPublicIdentity: match.publicIdentity.impu };
}
