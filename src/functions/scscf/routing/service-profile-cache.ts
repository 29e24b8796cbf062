/**
 * The iFCs of the service profile that holds a served identity (TS 29.228 §6.6, Annex B.1: an
 * implicit set may span several service profiles; the iFCs applied are those of the profile
 * holding the served IMPU). The User-Data XML is parsed once per record revision.
 */

import { isWildcarded, matchesWildcard, normalizePublicIdentity } from '../../../ims/identity.ts';
import type { InitialFilterCriteria } from '../../../ims/ifc/model.ts';
import { type ImsSubscription, parseUserData } from '../../../ims/user-data.ts';
import type { Registration } from '../../../store/registrations/types.ts';

/** The stored User-Data of a record cannot be read: the session cannot be served. */
export class UserProfileError extends Error {
  override readonly name = 'UserProfileError';
}

interface Cached {
  revision: number;
  userData: string;
  subscription: ImsSubscription;
}

export class ServiceProfileCache {
  /** Keyed by the record's first IMPU; insertion order gives a simple oldest-first eviction. */
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The iFCs for `impu` (canonical form), lowest priority first. Throws UserProfileError. */
  ifcsFor(record: Registration, impu: string): InitialFilterCriteria[] {
    const subscription = this.subscription(record);
    const profile =
      subscription.serviceProfiles.find((p) =>
        p.publicIdentities.some((pi) => sameIdentity(pi.identity, impu)),
      ) ?? subscription.serviceProfiles[0];
    return [...(profile?.initialFilterCriteria ?? [])].sort((a, b) => a.priority - b.priority);
  }

  private subscription(record: Registration): ImsSubscription {
    const key = record.impus[0] ?? '';
    const hit = this.cache.get(key);
    if (hit && hit.revision === record.revision && hit.userData === record.userData) return hit.subscription;
    let subscription: ImsSubscription;
    try {
      subscription = parseUserData(record.userData);
    } catch (err) {
      throw new UserProfileError(`User-Data of ${key} cannot be parsed: ${(err as Error).message}`);
    }
    this.cache.delete(key);
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { revision: record.revision, userData: record.userData, subscription });
    return subscription;
  }
}

function sameIdentity(profileIdentity: string, impu: string): boolean {
  if (isWildcarded(profileIdentity)) return matchesWildcard(profileIdentity, impu);
  try {
    return normalizePublicIdentity(profileIdentity) === impu;
  } catch {
    return false;
  }
}
