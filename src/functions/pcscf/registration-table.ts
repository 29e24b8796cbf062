import { parseUri, SipUri, type Uri, uriEquals } from '../../sip/message/index.ts';
import type { Flow } from '../../sip/transport/types.ts';
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

/**
 * The registrations of the UEs this P-CSCF serves, in memory, found by flow (originating
 * requests) and by public user identity (reg-event NOTIFYs). Each expires on its own timer
 * (the last contact's expiry plus a grace period).
 */
export class RegistrationTable {
  private readonly byFlowKey = new Map<string, UeRegistration[]>();
  private readonly timers = new Map<UeRegistration, NodeJS.Timeout>();

  constructor(
    private readonly graceMs: number,
    /** Told of every registration removed (expiry, de-registration, NOTIFY). */
    private readonly onRemoved: (registration: UeRegistration, why: string) => void = () => {},
  ) {}

  /** Registrations over this flow. */
  onFlow(flow: Flow): UeRegistration[] {
    return this.byFlowKey.get(flowKey(flow)) ?? [];
  }

  /** Registrations whose implicit set holds this identity. */
  withIdentity(identity: string): UeRegistration[] {
    const key = aorKey(identity);
    const out: UeRegistration[] = [];
    for (const list of this.byFlowKey.values())
      for (const r of list)
        if (aorKey(r.impu) === key || r.associatedUris.some((a) => aorKey(a) === key)) out.push(r);
    return out;
  }

  /** Every registration. */
  all(): UeRegistration[] {
    return [...this.byFlowKey.values()].flat();
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
    registration.associatedUris = update.associatedUris.length > 0 ? update.associatedUris : [impu];
    registration.serviceRoute = update.serviceRoute;
    registration.contacts = update.contacts;
    if (update.secAgree) registration.secAgree = update.secAgree;
    if (!existing) {
      const list = this.byFlowKey.get(registration.flowKey) ?? [];
      list.push(registration);
      this.byFlowKey.set(registration.flowKey, list);
    }
    this.schedule(registration);
    return registration;
  }

  /** The registration of this identity over this flow. */
  find(flow: Flow, impu: string): UeRegistration | undefined {
    const key = aorKey(impu);
    return this.onFlow(flow).find((r) => aorKey(r.impu) === key);
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
    const list = this.byFlowKey.get(registration.flowKey);
    if (!list?.includes(registration)) return;
    const rest = list.filter((r) => r !== registration);
    if (rest.length > 0) this.byFlowKey.set(registration.flowKey, rest);
    else this.byFlowKey.delete(registration.flowKey);
    const timer = this.timers.get(registration);
    if (timer) clearTimeout(timer);
    this.timers.delete(registration);
    this.onRemoved(registration, why);
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
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.byFlowKey.clear();
  }

  private schedule(registration: UeRegistration): void {
    const old = this.timers.get(registration);
    if (old) clearTimeout(old);
    const expiresAt = Math.max(...registration.contacts.map((c) => c.expiresAt));
    const timer = setTimeout(
      () => {
        this.timers.delete(registration);
        const now = Date.now();
        registration.contacts = registration.contacts.filter((c) => c.expiresAt + this.graceMs > now);
        if (registration.contacts.length === 0) this.remove(registration, 'expired');
        else this.schedule(registration);
      },
      Math.max(0, expiresAt + this.graceMs - Date.now()),
    );
    timer.unref();
    this.timers.set(registration, timer);
  }
}
