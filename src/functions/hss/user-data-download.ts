/**
 * What the HSS downloads to the S-CSCF with a SAA or PPR (TS 29.228 §6.6, §6.1.2.1, §6.2.2):
 * User-Data (the TS 29.228 Annex E document) for a set of public identities, and
 * Charging-Information (TS 29.229 §6.3.19).
 */
import type { ChargingInformation, SupportedFeatures } from '../../diameter/apps/cx.ts';
import { VENDOR_3GPP } from '../../diameter/apps/cx.ts';
import { buildUserData } from '../../ims/user-data.ts';
import type { HssContext } from './hss-context.ts';
import type { SharedIfcSet, Subscription } from './model.ts';
import { userProfile } from './user-profile.ts';

/**
 * TS 29.229 §7.2.1 (Cx features, Feature-List-ID 1): bit 0 is Shared iFC Sets (SiFC). The HSS
 * advertises it in SAA when the S-CSCF did in SAR.
 */
export const SHARED_IFC_SETS_FEATURE: SupportedFeatures = {
  vendorId: VENDOR_3GPP,
  featureListId: 1,
  featureList: 1,
};

/** Whether the request's Supported-Features says the S-CSCF holds the shared iFC sets itself. */
export function supportsSharedIfcSets(features: readonly SupportedFeatures[] | undefined): boolean {
  return (features ?? []).some(
    (f) => f.vendorId === VENDOR_3GPP && f.featureListId === 1 && (f.featureList & 1) !== 0,
  );
}

/**
 * The User-Data AVP value: the service profiles of `publicIdentities` (an implicit registration
 * set, or what the S-CSCF holds), PrivateID `privateIdentity`. Shared iFC sets are replaced by
 * their iFCs unless the S-CSCF supports the SiFC feature (TS 29.228 §6.6.3).
 */
export async function userData(
  ctx: HssContext,
  subscription: Subscription,
  publicIdentities: readonly string[],
  options: { privateIdentity?: string; sharedIfcSets: boolean },
): Promise<Buffer> {
  let expand: Map<number, SharedIfcSet> | undefined;
  if (!options.sharedIfcSets) {
    expand = new Map();
    const wanted = new Set(publicIdentities);
    const profiles = new Set(
      subscription.publicIdentities.filter((p) => wanted.has(p.impu)).map((p) => p.serviceProfileId),
    );
    const ids = new Set(
      subscription.serviceProfiles
        .filter((sp) => profiles.has(sp.id))
        .flatMap((sp) => sp.sharedIfcSetIds ?? []),
    );
    for (const id of ids) {
      const set = await ctx.store.getSharedIfcSet(id);
      if (set !== undefined) expand.set(id, set);
      else
        ctx.log.warn({ sharedIfcSetId: id, subscription: subscription.id }, 'shared iFC set not provisioned');
    }
  }
  const document = userProfile(subscription, {
    publicIdentities,
    ...(options.privateIdentity !== undefined ? { privateIdentity: options.privateIdentity } : {}),
    ...(expand !== undefined ? { expandSharedIfcSets: expand } : {}),
  });
  return Buffer.from(buildUserData(document), 'utf8');
}

/** Charging-Information (TS 29.229 §6.3.19) of the subscription, when it has any. */
export function chargingInformation(subscription: Subscription): ChargingInformation | undefined {
  const ci = subscription.chargingInformation;
  if (ci === undefined) return undefined;
  const avp: ChargingInformation = {};
  if (ci.primaryEventChargingFunctionName)
    avp.primaryEventChargingFunctionName = ci.primaryEventChargingFunctionName;
  if (ci.secondaryEventChargingFunctionName)
    avp.secondaryEventChargingFunctionName = ci.secondaryEventChargingFunctionName;
  if (ci.primaryChargingCollectionFunctionName)
    avp.primaryChargingCollectionFunctionName = ci.primaryChargingCollectionFunctionName;
  if (ci.secondaryChargingCollectionFunctionName)
    avp.secondaryChargingCollectionFunctionName = ci.secondaryChargingCollectionFunctionName;
  return Object.keys(avp).length > 0 ? avp : undefined;
}
