/**
 * The registration information document of RFC 3680 §5 (application/reginfo+xml) as objects,
 * as the S-CSCF sends it in NOTIFY for the reg event (TS 24.229 §5.4.2.1.2) and the P-CSCF and
 * UEs read it (TS 24.229 §5.2.3, §5.1.1.3). The checks shared by the parser and the builder.
 */
import { ReginfoError } from './reginfo-error.ts';

export const REGINFO_CONTENT_TYPE = 'application/reginfo+xml';
/** RFC 3680 §8.3: the namespace of every reginfo element. */
export const REGINFO_NAMESPACE = 'urn:ietf:params:xml:ns:reginfo';

/** RFC 3680 §5.1: why a contact is in the state it is (the contact state machine, §4.7). */
export type ContactEvent =
  | 'registered'
  | 'created'
  | 'refreshed'
  | 'shortened'
  | 'expired'
  | 'deactivated'
  | 'probation'
  | 'unregistered'
  | 'rejected';

export const CONTACT_EVENTS: readonly ContactEvent[] = [
  'registered',
  'created',
  'refreshed',
  'shortened',
  'expired',
  'deactivated',
  'probation',
  'unregistered',
  'rejected',
];
export const CONTACT_STATES: readonly ReginfoContact['state'][] = ['active', 'terminated'];
export const REGISTRATION_STATES: readonly ReginfoRegistration['state'][] = ['init', 'active', 'terminated'];
export const REGINFO_STATES: readonly Reginfo['state'][] = ['full', 'partial'];

/** RFC 3680 §5.1 `<contact>`. */
export interface ReginfoContact {
  id: string;
  state: 'active' | 'terminated';
  event: ContactEvent;
  /** The `<uri>` element: the contact address. */
  uri: string;
  displayName?: string;
  /** Seconds left before the binding expires. */
  expires?: number;
  /** With event `probation`: seconds before the UA may try again. */
  retryAfter?: number;
  /** Seconds the contact has been registered. */
  durationRegistered?: number;
  q?: string;
  callId?: string;
  cseq?: number;
  /**
   * `<unknown-param>`: Contact header parameters the registrar kept (TS 24.229 §5.4.2.1.2: the
   * feature tags and `+sip.instance` of the binding). No value = a parameter without value.
   */
  unknownParams?: { name: string; value?: string }[];
}

/** RFC 3680 §5.1 `<registration>`: the bindings of one address-of-record. */
export interface ReginfoRegistration {
  aor: string;
  id: string;
  state: 'init' | 'active' | 'terminated';
  contacts: ReginfoContact[];
}

/** RFC 3680 §5.1 `<reginfo>`. */
export interface Reginfo {
  version: number;
  state: 'full' | 'partial';
  registrations: ReginfoRegistration[];
}

/** xs:unsignedLong and xs:nonNegativeInteger, as far as a JavaScript number holds them exactly. */
export function isUnsignedLong(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  name: string,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new ReginfoError(
      path,
      `${name} ${JSON.stringify(value)} is not one of ${allowed.join(', ')} (RFC 3680 §5.4)`,
    );
  return value as T;
}

export function checkText(value: unknown, path: string, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ReginfoError(path, `${name} must be a non-empty string`);
  return value;
}
