import { parseUri, SipUri, type Uri, uriEquals } from '../../sip/message/index.ts';
import type { Flow } from '../../sip/transport/types.ts';
import { Deadlines } from '../../util/deadlines.ts';
import { detachedString } from '../../util/detached-string.ts';
import { flowKey } from './flow-token.ts';

/** A contact a UE registered over its flow. */
export interface UeContact {
  uri: string;
  /** Date.now() when the binding expires. */
  expiresAt: number;
}

/**
 * What the P-CSCF keeps of one registration of a UE (TS 24.229 §5.2.2.1): the public user
 * identity registered over one flow, the implicitly registered set (P-Associated-URI, the
 * default identity first), the Service-Route to use for originating requests, the contacts.
 */
export interface UeRegistration {
  readonly flow: Flow;
  readonly flowKey: string;
  /** The registered public user identity (the To of the REGISTER). */
  readonly impu: string;
  associatedUris: string[];
  serviceRoute: string[];
  contacts: UeContact[];
  /** RFC 3329: the mechanism agreed for this UE, when sec-agree was used. */
  secAgree?: string;
}

/** A read-only view of a registration, for status pages and tests. */
export interface UeRegistrationView {
  impu: string;
  flow: Flow;
  associatedUris: string[];
  serviceRoute: string[];
  contacts: UeContact[];
  expiresAt: number;
}

/** RFC 3261 §10.3 address-of-record comparison key: scheme, user and host (no port or parameters). */
export function aorKey(uri: string | Uri): string {
  let u: Uri;
  try {
    u = typeof uri === 'string' ? parseUri(uri) : uri;
  } catch {
    return String(uri).toLowerCase();
  }
  if (u instanceof SipUri) return `sip:${u.unescapedUser ?? ''}@${u.host.toLowerCase()}`;
  return u.toString().toLowerCase();
}

function sameUri(a: string, b: string): boolean {
  try {
    return uriEquals(parseUri(a), parseUri(b));
  } catch {
    return a === b;
  }
}

/** The registrations over one flow, with the indexes requests need. */
interface FlowEntry {
  list: UeRegistration[];
  /** aorKey of the registered IMPU → its registration. */
  byImpu: Map<string, UeRegistration>;
  /** aorKey of every identity of every implicit set → the registrations holding it, oldest first. */
  byIdentity: Map<string, UeRegistration[]>;
}

/**
 * The registrations of the UEs this P-CSCF serves, in memory, found by flow (originating
 * requests) and by public user identity (reg-event NOTIFYs), through indexes so that the cost
 * of a request does not grow with the number of users (one SIPp, or one multi-line phone,
 * registers thousands over one flow). Each expires at its last contact's expiry plus a grace
 * period, kept with the others under one timer (Deadlines), not a timer per registration.
 */
export class RegistrationTable {
  private readonly byFlowKey = new Map<string, FlowEntry>();
  /** aorKey of an identity → the registrations (over any flow) whose implicit set holds it. */
  private readonly byIdentity = new Map<string, Set<UeRegistration>>();
  /** The aorKeys each registration is indexed under. */
  private readonly keysOf = new Map<UeRegistration, string[]>();
  private readonly expiries = new Deadlines<UeRegistration>((r) => this.expire(r));
  private count = 0;

  constructor(
    private readonly graceMs: number,
    /** Told of every registration removed (expiry, de-registration, NOTIFY). */
    private readonly onRemoved: (registration: UeRegistration, why: string) => void = () => {},
  ) {}

  /** Registrations over this flow, oldest first (do not modify the array). */
  onFlow(flow: Flow): readonly UeRegistration[] {
    return this.byFlowKey.get(flowKey(flow))?.list ?? [];
  }

  /** The registration over this flow whose implicit set holds `identity`. */
  onFlowWithIdentity(flow: Flow, identity: string): UeRegistration | undefined {
    return this.byFlowKey.get(flowKey(flow))?.byIdentity.get(aorKey(identity))?.[0];
  }

  /** Registrations whose implicit set holds this identity. */
  withIdentity(identity: string): UeRegistration[] {
    return [...(this.byIdentity.get(aorKey(identity)) ?? [])];
  }

  /** Every registration. */
  all(): UeRegistration[] {
    return [...this.byFlowKey.values()].flatMap((e) => e.list);
  }

  /** Number of registrations. */
  get size(): number {
    return this.count;
  }

  /**
   * TS 24.229 §5.2.2.1: the state from a 200 (OK) to a REGISTER. `contacts` are the UE's
   * bindings the response lists (with their expiry); none left removes the registration.
   */
  save(
    flow: Flow,
    impu: string,
    update: { associatedUris: string[]; serviceRoute: string[]; contacts: UeContact[]; secAgree?: string },
  ): UeRegistration | undefined {
    // Kept for the registration's lifetime: copies, not views into the 200 (OK)'s text.
    impu = detachedString(impu);
    const existing = this.find(flow, impu);
    if (update.contacts.length === 0) {
      if (existing) this.remove(existing, 'de-registered');
      return undefined;
    }
    const registration: UeRegistration = existing ?? {
      flow,
      flowKey: flowKey(flow),
      impu,
      associatedUris: [],
      serviceRoute: [],
      contacts: [],
    };
    registration.associatedUris =
      update.associatedUris.length > 0 ? update.associatedUris.map(detachedString) : [impu];
    registration.serviceRoute = update.serviceRoute.map(detachedString);
    registration.contacts = update.contacts.map((c) => ({
      uri: detachedString(c.uri),
      expiresAt: c.expiresAt,
    }));
    if (update.secAgree) registration.secAgree = detachedString(update.secAgree);
    let entry = this.byFlowKey.get(registration.flowKey);
    if (!entry) {
      entry = { list: [], byImpu: new Map(), byIdentity: new Map() };
      this.byFlowKey.set(registration.flowKey, entry);
    }
    if (!existing) {
      entry.list.push(registration);
      entry.byImpu.set(aorKey(impu), registration);
      this.count++;
    }
    this.index(registration, entry);
    this.schedule(registration);
    return registration;
  }

  /**
   * A REGISTER of `impu` over `flow` for these contacts (or `'*'`, all of them) was accepted:
   * registrations of the same identity over other flows lose those contacts, and go when none
   * is left. The registrar keeps one binding per contact (RFC 3261 §10.3 step 7), so a phone
   * that registers its contact again from a new address or port (a restart, a NAT rebinding)
   * is reachable over the new flow only. Not for RFC 5626 contacts, which may keep one flow per
   * reg-id.
   */
  releaseElsewhere(flow: Flow, impu: string, contacts: readonly string[] | '*'): void {
    const key = aorKey(impu);
    const here = flowKey(flow);
    for (const r of this.byIdentity.get(key) ?? []) {
      if (r.flowKey === here || aorKey(r.impu) !== key) continue;
      if (contacts === '*') this.remove(r, 'de-registered over another flow');
      else for (const c of contacts) this.removeContact(r, c, 're-registered over another flow');
    }
  }

  /** The registration of this identity over this flow. */
  find(flow: Flow, impu: string): UeRegistration | undefined {
    return this.byFlowKey.get(flowKey(flow))?.byImpu.get(aorKey(impu));
  }

  /** RFC 3680 §5.1: a contact ended (state terminated); the registration goes with its last one. */
  removeContact(registration: UeRegistration, contactUri: string, why: string): void {
    registration.contacts = registration.contacts.filter((c) => !sameUri(c.uri, contactUri));
    if (registration.contacts.length === 0) this.remove(registration, why);
  }

  /** True if this registration lists the contact. */
  hasContact(registration: UeRegistration, contactUri: string): boolean {
    return registration.contacts.some((c) => sameUri(c.uri, contactUri));
  }

  remove(registration: UeRegistration, why: string): void {
    const entry = this.byFlowKey.get(registration.flowKey);
    const at = entry?.list.indexOf(registration) ?? -1;
    if (!entry || at < 0) return;
    entry.list.splice(at, 1);
    entry.byImpu.delete(aorKey(registration.impu));
    this.unindex(registration, entry);
    if (entry.list.length === 0) this.byFlowKey.delete(registration.flowKey);
    this.count--;
    this.expiries.delete(registration);
    this.onRemoved(registration, why);
  }

  /** (Re)indexes a registration under the keys of its implicit set. */
  private index(registration: UeRegistration, entry: FlowEntry): void {
    this.unindex(registration, entry);
    const keys = [...new Set([registration.impu, ...registration.associatedUris].map((u) => aorKey(u)))];
    for (const key of keys) {
      const holders = entry.byIdentity.get(key);
      if (holders) holders.push(registration);
      else entry.byIdentity.set(key, [registration]);
      let set = this.byIdentity.get(key);
      if (!set) this.byIdentity.set(key, (set = new Set()));
      set.add(registration);
    }
    this.keysOf.set(registration, keys);
  }

  private unindex(registration: UeRegistration, entry: FlowEntry): void {
    const keys = this.keysOf.get(registration);
    if (!keys) return;
    for (const key of keys) {
      const holders = entry.byIdentity.get(key)?.filter((r) => r !== registration) ?? [];
      if (holders.length > 0) entry.byIdentity.set(key, holders);
      else entry.byIdentity.delete(key);
      const set = this.byIdentity.get(key);
      set?.delete(registration);
      if (set?.size === 0) this.byIdentity.delete(key);
    }
    this.keysOf.delete(registration);
  }

  view(r: UeRegistration): UeRegistrationView {
    return {
      impu: r.impu,
      flow: r.flow,
      associatedUris: [...r.associatedUris],
      serviceRoute: [...r.serviceRoute],
      contacts: r.contacts.map((c) => ({ ...c })),
      expiresAt: Math.max(...r.contacts.map((c) => c.expiresAt)),
    };
  }

  dispose(): void {
    this.expiries.clear();
    this.byFlowKey.clear();
    this.byIdentity.clear();
    this.keysOf.clear();
    this.count = 0;
  }

  private schedule(registration: UeRegistration): void {
    this.expiries.set(
      registration,
      Math.max(...registration.contacts.map((c) => c.expiresAt)) + this.graceMs,
    );
  }

  /** Its last contact expired (plus grace): the registration goes, unless a contact was renewed. */
  private expire(registration: UeRegistration): void {
    const now = Date.now();
    registration.contacts = registration.contacts.filter((c) => c.expiresAt + this.graceMs > now);
    if (registration.contacts.length === 0) this.remove(registration, 'expired');
    else this.schedule(registration);
  }
}
