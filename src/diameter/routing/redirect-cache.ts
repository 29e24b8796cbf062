import type { AvpValue, AvpValues } from '../codec/message.ts';

/** RFC 6733 §6.13 Redirect-Host-Usage values. */
export const RedirectHostUsage = {
  DONT_CACHE: 0,
  ALL_SESSION: 1,
  ALL_REALM: 2,
  REALM_AND_APPLICATION: 3,
  ALL_APPLICATION: 4,
  ALL_HOST: 5,
  ALL_USER: 6,
} as const;

/** What of a request a cached redirect can be keyed by. */
export interface RedirectKeys {
  applicationId: number;
  sessionId?: string;
  destinationRealm?: string;
  /** The identities of the user the request is about (see requestUsers). */
  users: readonly string[];
}

/**
 * RFC 6733 §6.13: "a precedence rule MUST be applied to the redirect usage values of the cached
 * routes": ALL_SESSION, ALL_USER, REALM_AND_APPLICATION, ALL_REALM, ALL_APPLICATION, ALL_HOST.
 * ALL_HOST is last and needs the next hop, so it is looked up apart (lookupHost).
 */
const PRECEDENCE = [
  RedirectHostUsage.ALL_SESSION,
  RedirectHostUsage.ALL_USER,
  RedirectHostUsage.REALM_AND_APPLICATION,
  RedirectHostUsage.ALL_REALM,
  RedirectHostUsage.ALL_APPLICATION,
] as const;

interface Entry {
  target: string;
  expires: number;
}

function first(v: AvpValue | AvpValue[] | undefined): AvpValue | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The identities of the user a request is about, for ALL_USER: User-Name (RFC 6733 §8.14; the
 * private identity in Cx, TS 29.229 §6.3), Public-Identity (TS 29.229 §6.3.2), and
 * User-Identity's Public-Identity or MSISDN (Sh, TS 29.329 §6.3.1). A redirect is cached under
 * each of them, so that a LIR finds the HSS a UAR with the same public identity was sent to.
 */
export function requestUsers(avps: AvpValues): string[] {
  const out: string[] = [];
  const add = (v: AvpValue | AvpValue[] | undefined) => {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'string' && x !== '') out.push(x);
      else if (Buffer.isBuffer(x)) out.push(`msisdn:${x.toString('hex')}`);
    }
  };
  add(avps.userName as AvpValue | undefined);
  add(avps.publicIdentity as AvpValue | AvpValue[] | undefined);
  const userIdentity = first(avps.userIdentity as AvpValue | AvpValue[] | undefined);
  if (userIdentity && typeof userIdentity === 'object' && !Buffer.isBuffer(userIdentity)) {
    const group = userIdentity as AvpValues;
    add(group.publicIdentity as AvpValue | undefined);
    add(group.msisdn as AvpValue | undefined);
  }
  return [...new Set(out)];
}

/**
 * Route entries created by redirect indications (RFC 6733 §6.1.8): "When the Redirect-Host-Usage
 * AVP included in the answer message has a non-zero value, a route entry for the redirect
 * indications is created and cached by the receiver", keyed as its usage says, for
 * Redirect-Max-Cache-Time seconds (§6.14). Expired entries go on lookup; the size is bounded.
 */
export class RedirectCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Caches `target` for requests like `keys`. Returns false when nothing is cached: DONT_CACHE,
   * an unknown usage, no (or a zero) Redirect-Max-Cache-Time, or a request without the key.
   * `redirectAgent` is the Origin-Host of the redirect answer, the key of ALL_HOST.
   */
  store(
    usage: number,
    keys: RedirectKeys,
    target: string,
    maxCacheTimeSeconds: number | undefined,
    redirectAgent?: string,
  ): boolean {
    // RFC 6733 §6.14: Redirect-Max-Cache-Time "MUST be present" with a non-zero usage; without it
    // there is no lifetime to give the entry, so it is not cached.
    if (!maxCacheTimeSeconds || maxCacheTimeSeconds <= 0) return false;
    const names =
      usage === RedirectHostUsage.ALL_HOST
        ? redirectAgent
          ? [redirectAgent.toLowerCase()]
          : []
        : this.names(usage, keys);
    if (names.length === 0) return false;
    const expires = this.now() + maxCacheTimeSeconds * 1000;
    for (const name of names) {
      const key = `${usage}\u0000${name}`;
      this.entries.delete(key);
      this.entries.set(key, { target, expires });
    }
    this.evict();
    return true;
  }

  /** The target of the cached route that applies to a request, by the §6.13 precedence. */
  lookup(keys: RedirectKeys): string | undefined {
    for (const usage of PRECEDENCE) {
      for (const name of this.names(usage, keys)) {
        const target = this.get(`${usage}\u0000${name}`);
        if (target) return target;
      }
    }
    return undefined;
  }

  /** ALL_HOST: where requests that would go to `nextHop` (a redirect agent) go instead. */
  lookupHost(nextHop: string): string | undefined {
    return this.get(`${RedirectHostUsage.ALL_HOST}\u0000${nextHop.toLowerCase()}`);
  }

  /** RFC 6733 §6.14: "once a host is no longer reachable, any associated cache ... MUST be deleted". */
  forgetTarget(host: string): void {
    const h = host.toLowerCase();
    for (const [key, e] of this.entries) if (e.target.toLowerCase() === h) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private names(usage: number, keys: RedirectKeys): string[] {
    const realm = keys.destinationRealm?.toLowerCase();
    switch (usage) {
      case RedirectHostUsage.ALL_SESSION:
        return keys.sessionId !== undefined ? [keys.sessionId] : [];
      case RedirectHostUsage.ALL_USER:
        return [...keys.users];
      case RedirectHostUsage.REALM_AND_APPLICATION:
        return realm !== undefined ? [`${realm}\u0000${keys.applicationId}`] : [];
      case RedirectHostUsage.ALL_REALM:
        return realm !== undefined ? [realm] : [];
      case RedirectHostUsage.ALL_APPLICATION:
        return [String(keys.applicationId)];
      default:
        return [];
    }
  }

  private get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires > this.now()) return e.target;
    this.entries.delete(key);
    return undefined;
  }

  private evict(): void {
    const t = this.now();
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && e.expires > t) break;
      this.entries.delete(key);
    }
  }
}
