/**
 * The user profile the HSS downloads to the S-CSCF (TS 29.228 §6.1.2 SAA, §6.1.4 PPR; TS 29.228
 * Annex B): the service profiles of the public identities asked for, as the object form of the
 * User-Data XML (`buildUserData` writes it).
 */
import type { InitialFilterCriteria } from '../../ims/ifc/model.ts';
import type { ImsSubscription, UserDataPublicIdentity, UserDataServiceProfile } from '../../ims/user-data.ts';
import type { SharedIfcSet, Subscription } from './model.ts';

export interface UserProfileOptions {
  /** PrivateID of the document; default: the first IMPI (for a PSI-only subscription, the first PSI). */
  privateIdentity?: string;
  /** Which public identities (e.g. an implicit registration set); default: all of the subscription. */
  publicIdentities?: readonly string[];
  /**
   * The shared iFC sets, for an S-CSCF that does not support the Shared iFC Sets feature
   * (TS 29.229 §7.2.1): each SharedIFCSetID is then replaced by the iFCs of its set.
   */
  expandSharedIfcSets?: ReadonlyMap<number, SharedIfcSet>;
}

/** The IMSSubscription of TS 29.228 Annex B.2 for `subscription`, restricted as `options` say. */
export function userProfile(subscription: Subscription, options: UserProfileOptions = {}): ImsSubscription {
  const wanted = options.publicIdentities ? new Set(options.publicIdentities) : undefined;
  const byProfile = new Map<string, UserDataPublicIdentity[]>();
  for (const pu of subscription.publicIdentities) {
    if (wanted && !wanted.has(pu.impu)) continue;
    const identity: UserDataPublicIdentity = { identity: pu.impu };
    if (pu.barringIndication !== undefined) identity.barringIndication = pu.barringIndication;
    identity.identityType = pu.identityType;
    if (pu.displayName !== undefined) identity.displayName = pu.displayName;
    if (pu.aliasIdentityGroupId !== undefined) identity.aliasIdentityGroupId = pu.aliasIdentityGroupId;
    const list = byProfile.get(pu.serviceProfileId) ?? [];
    list.push(identity);
    byProfile.set(pu.serviceProfileId, list);
  }
  const serviceProfiles: UserDataServiceProfile[] = [];
  for (const [profileId, publicIdentities] of byProfile) {
    const sp = subscription.serviceProfiles.find((p) => p.id === profileId);
    if (sp === undefined) continue;
    let initialFilterCriteria: InitialFilterCriteria[] = sp.initialFilterCriteria;
    let sharedIfcSetIds = sp.sharedIfcSetIds ?? [];
    if (options.expandSharedIfcSets !== undefined) {
      const shared = sharedIfcSetIds.flatMap(
        (id) => options.expandSharedIfcSets?.get(id)?.initialFilterCriteria ?? [],
      );
      initialFilterCriteria = [...initialFilterCriteria, ...shared].sort((a, b) => a.priority - b.priority);
      sharedIfcSetIds = [];
    }
    const profile: UserDataServiceProfile = { publicIdentities, initialFilterCriteria, sharedIfcSetIds };
    if (sp.subscribedMediaProfileId !== undefined)
      profile.coreNetworkServicesAuthorization = { subscribedMediaProfileId: sp.subscribedMediaProfileId };
    serviceProfiles.push(profile);
  }
  const privateId =
    options.privateIdentity ??
    subscription.privateIdentities[0]?.impi ??
    subscription.publicIdentities[0]?.impu ??
    '';
  return { privateId, serviceProfiles };
}
