/**
 * What the S-CSCF reads from the User-Data of an SAA or PPR (TS 29.228 Annex B, Annex E): the
 * implicit registration set of an identity (the public identities of its service profile,
 * TS 23.228 §4.3.3.4), which of them are barred, and the iFCs that apply to it.
 */
import { matchesWildcard, normalizePublicIdentity } from '../../ims/identity.ts';
import type { InitialFilterCriteria } from '../../ims/ifc/model.ts';
import { type ImsSubscription, parseUserData, type UserDataServiceProfile } from '../../ims/user-data.ts';

export interface ServedProfile {
  /** The implicit registration set, `impu` first, then in User-Data order. */
  impus: string[];
  barred: string[];
  ifcs: InitialFilterCriteria[];
  privateId: string;
}

/** Normalizes an identity, or keeps it as written when it is not one (compared as text then). */
export function canonicalImpu(text: string): string {
  try {
    return normalizePublicIdentity(text);
  } catch {
    return text;
  }
}

/**
 * Parsed User-Data documents by their text: a registration, its third-party REGISTERs and the
 * requests of the user read the same document again and again (parsing is an XML parse).
 * The parsed objects are shared: callers only read them. Bounded; the oldest entry goes first.
 */
const parsedCache = new Map<string, ImsSubscription>();
const PARSED_CACHE_SIZE = 4096;

function parsedUserData(userData: string): ImsSubscription {
  const cached = parsedCache.get(userData);
  if (cached) return cached;
  const subscription = parseUserData(userData);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(userData, subscription);
  return subscription;
}

function profileOf(subscription: ImsSubscription, impu: string): UserDataServiceProfile | undefined {
  const exact = subscription.serviceProfiles.find((sp) =>
    sp.publicIdentities.some((p) => canonicalImpu(p.identity) === impu),
  );
  if (exact) return exact;
  // TS 23.003 §13.5: an identity matched by a wildcarded IMPU or PSI of the profile.
  return subscription.serviceProfiles.find((sp) =>
    sp.publicIdentities.some((p) => p.identity.includes('!') && matchesWildcard(p.identity, impu)),
  );
}

/**
 * The served profile of `impu` in `userData`; throws UserDataError on a document that is not
 * User-Data, and Error when `impu` is not in it.
 */
export function servedProfile(userData: string, impu: string): ServedProfile {
  const subscription = parsedUserData(userData);
  const wanted = canonicalImpu(impu);
  const profile = profileOf(subscription, wanted);
  if (profile === undefined) throw new Error(`User-Data holds no service profile for ${impu}`);
  const impus = [wanted];
  const barred: string[] = [];
  for (const p of profile.publicIdentities) {
    const id = canonicalImpu(p.identity);
    if (p.barringIndication === true) barred.push(id);
    // Wildcarded entries are patterns, not identities one can register or notify.
    if (id.includes('!') || impus.includes(id)) continue;
    impus.push(id);
  }
  return { impus, barred, ifcs: profile.initialFilterCriteria, privateId: subscription.privateId };
}

/** The iFCs of the service profile holding `impu`, or [] when the User-Data cannot be read. */
export function ifcsOf(userData: string, impu: string): InitialFilterCriteria[] {
  try {
    return servedProfile(userData, impu).ifcs;
  } catch {
    return [];
  }
}
