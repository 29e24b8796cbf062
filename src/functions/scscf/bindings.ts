/**
 * Binding updates of a REGISTER, RFC 3261 §10.3 steps 6-8 with RFC 5626 §6 (outbound) and
 * RFC 3327 (Path): pure functions of the current bindings and the request, so a store that
 * retries a read-modify-write can run them again.
 */
import { createHash } from 'node:crypto';
import { type Contact, formatParams, parseUri, SipUri, STAR, sipUriEquals } from '../../sip/message/index.ts';
import type { Binding } from '../../store/registrations/types.ts';

/** What of a REGISTER the bindings depend on. */
export interface RegisterData {
  contacts: (Contact | typeof STAR)[];
  /** The Expires header, when present. */
  expires: number | undefined;
  callId: string;
  cseq: number;
  path: string[];
  chargingVector?: string;
  chargingFunctionAddresses?: string;
  pcscf?: string;
  accessNetworkInfo?: string;
}

export interface ExpiryLimits {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
}

/** RFC 3680 §5.2 contact events the registrar produces. */
export type ContactEvent = 'registered' | 'created' | 'refreshed' | 'shortened' | 'expired' | 'unregistered';

/** One binding that changed, for reginfo (RFC 3680 partial state). */
export interface BindingChange {
  binding: Binding;
  state: 'active' | 'terminated';
  event: ContactEvent;
}

export type BindingPlan =
  | { ok: true; bindings: Binding[]; changes: BindingChange[]; query: boolean }
  | { ok: false; status: number; reason: string; headers?: [string, string][] };

/** The expiry asked for one contact: its expires parameter, else Expires, else the default. */
function askedExpires(contact: Contact, data: RegisterData, limits: ExpiryLimits): number {
  return contact.expires ?? data.expires ?? limits.defaultExpires;
}

/** RFC 3680 §6: a contact id stable while the binding lives (same contact, instance and reg-id). */
export function bindingId(contact: string, instanceId?: string, regId?: number): string {
  return createHash('sha1')
    .update(`${instanceId ?? ''}\n${regId ?? ''}\n${instanceId === undefined ? contact : ''}`)
    .digest('hex')
    .slice(0, 12);
}

function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x = parseUri(a);
    const y = parseUri(b);
    return x instanceof SipUri && y instanceof SipUri ? sipUriEquals(x, y) : x.toString() === y.toString();
  } catch {
    return false;
  }
}

/**
 * RFC 5626 §6: a Contact with +sip.instance and reg-id replaces the binding with the same
 * pair (a new flow of the same UA); without reg-id the instance alone identifies it (RFC 5627
 * §6); otherwise the Contact URI does (RFC 3261 §10.3 step 7).
 */
function matches(binding: Binding, contact: Contact): boolean {
  const instanceId = contact.instanceId;
  if (instanceId !== undefined && binding.instanceId !== undefined)
    return binding.instanceId === instanceId && binding.regId === contact.regId;
  return sameUri(binding.contact, contact.uriText);
}

/** The Contact parameters kept with a binding: all but expires (given per response). */
function keptParams(contact: Contact): string {
  const params = new Map(contact.params);
  params.delete('expires');
  return formatParams(params);
}

/**
 * The bindings after a REGISTER (RFC 3261 §10.3): `current` without expired ones, the request
 * already authenticated. Refusals: 400 for `*` with other contacts or a non-zero expiry,
 * 423 with Min-Expires for too short an interval (step 7), 500 for an out-of-order CSeq of
 * the same Call-ID (step 7).
 */
export function planBindings(
  current: readonly Binding[],
  data: RegisterData,
  limits: ExpiryLimits,
  now: number,
): BindingPlan {
  if (data.contacts.length === 0)
    // RFC 3261 §10.3 step 6 (no Contact): a query, the bindings are listed unchanged.
    return { ok: true, bindings: current.slice(), changes: [], query: true };
  if (data.contacts.includes(STAR)) {
    // RFC 3261 §10.3 step 6: "*" only alone and with Expires: 0.
    if (data.contacts.length !== 1 || data.expires !== 0)
      return { ok: false, status: 400, reason: 'Wildcard Contact needs Expires 0 and no other Contact' };
    for (const b of current)
      if (b.callId === data.callId && b.cseq >= data.cseq)
        return { ok: false, status: 500, reason: 'CSeq out of order' };
    return {
      ok: true,
      bindings: [],
      changes: current.map((binding) => ({ binding, state: 'terminated', event: 'unregistered' })),
      query: false,
    };
  }
  const contacts = data.contacts as Contact[];
  // Step 7: every expiry is checked before any binding changes.
  for (const c of contacts) {
    const asked = askedExpires(c, data, limits);
    if (asked !== 0 && asked < limits.minExpires)
      return {
        ok: false,
        status: 423,
        reason: 'Interval Too Brief',
        headers: [['Min-Expires', String(limits.minExpires)]],
      };
  }
  const bindings = current.slice();
  const changes: BindingChange[] = [];
  for (const c of contacts) {
    const asked = askedExpires(c, data, limits);
    const expires = Math.min(asked, limits.maxExpires);
    const index = bindings.findIndex((b) => matches(b, c));
    const existing = index >= 0 ? bindings[index] : undefined;
    if (existing !== undefined && existing.callId === data.callId && existing.cseq >= data.cseq)
      return { ok: false, status: 500, reason: 'CSeq out of order' };
    if (expires === 0) {
      if (existing !== undefined) {
        bindings.splice(index, 1);
        changes.push({ binding: existing, state: 'terminated', event: 'unregistered' });
      }
      continue;
    }
    const expiresAt = now + expires * 1000;
    const binding: Binding = {
      contact: c.uriText,
      params: keptParams(c),
      expiresAt,
      path: data.path.slice(),
      ...(c.instanceId !== undefined ? { instanceId: c.instanceId } : {}),
      ...(c.regId !== undefined ? { regId: c.regId } : {}),
      callId: data.callId,
      cseq: data.cseq,
      ...(data.chargingVector !== undefined ? { chargingVector: data.chargingVector } : {}),
      ...(data.chargingFunctionAddresses !== undefined
        ? { chargingFunctionAddresses: data.chargingFunctionAddresses }
        : {}),
      ...(data.pcscf !== undefined ? { pcscf: data.pcscf } : {}),
      ...(data.accessNetworkInfo !== undefined ? { accessNetworkInfo: data.accessNetworkInfo } : {}),
      id: existing?.id ?? bindingId(c.uriText, c.instanceId, c.regId),
      registeredAt: existing?.registeredAt ?? now,
    };
    if (existing !== undefined) {
      bindings[index] = binding;
      // RFC 3680 §5.2: a refresh; "shortened" when the new expiry is earlier.
      const event = expiresAt < existing.expiresAt - 1000 ? 'shortened' : 'refreshed';
      changes.push({ binding, state: 'active', event });
    } else {
      bindings.push(binding);
      changes.push({ binding, state: 'active', event: 'registered' });
    }
  }
  return { ok: true, bindings, changes, query: false };
}

/** Bindings still valid at `now`. */
export function liveBindings(bindings: readonly Binding[], now: number): Binding[] {
  return bindings.filter((b) => b.expiresAt > now);
}

/** RFC 3261 §10.3 step 8: a binding as a Contact value of the 200 OK, with its remaining expiry. */
export function contactValue(binding: Binding, now: number): string {
  const remaining = Math.max(0, Math.round((binding.expiresAt - now) / 1000));
  return `<${binding.contact}>${binding.params};expires=${remaining}`;
}
