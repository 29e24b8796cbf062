/**
 * The subscriber data the HSS keeps (TS 23.008 §3 and §5, TS 29.228 Annex B, TS 23.228
 * §4.3.3 and figure 4.6): an IMS subscription holds private identities (with their
 * authentication data), public identities, service profiles, implicit registration sets, and
 * the S-CSCF serving it. Plain JSON-safe values (hex strings, numbers) so that the REST API,
 * the stores and the Diameter applications exchange them as they are.
 *
 * Fields marked "runtime" are kept by the store's atomic calls (updateAuthState,
 * updateRegistration); provisioning (create, update) does not change them.
 */

import { IdentityType } from '../../ims/identity.ts';
import type { DefaultHandling, InitialFilterCriteria } from '../../ims/ifc/model.ts';

export { validateSubscription } from './subscription-validation.ts';

/**
 * How a private identity may authenticate, named by the Digest algorithm token:
 * AKA (RFC 3310 'AKAv1-MD5', RFC 4169 'AKAv2-MD5', TS 33.203) or SIP Digest (RFC 7616 'MD5',
 * 'SHA-256'; TS 29.229 "SIP Digest").
 */
export type AuthenticationScheme = 'AKAv1-MD5' | 'AKAv2-MD5' | 'MD5' | 'SHA-256';
export const AUTHENTICATION_SCHEMES: readonly AuthenticationScheme[] = [
  'AKAv1-MD5',
  'AKAv2-MD5',
  'MD5',
  'SHA-256',
];
export const AKA_SCHEMES: readonly AuthenticationScheme[] = ['AKAv1-MD5', 'AKAv2-MD5'];

/** TS 33.102 §6.3.2: SQN is 48 bits. */
export const MAX_SQN = 2 ** 48 - 1;
/** AMF used when none is provisioned (separation bit set, as most HSSs default to). */
export const DEFAULT_AMF = '8000';

/** A private user identity (IMPI, TS 23.003 §13.3) and its authentication data (TS 33.203 §6.1). */
export interface PrivateIdentity {
  /** The NAI `username@realm`. */
  impi: string;
  allowedSchemes: AuthenticationScheme[];
  /** AKA: the subscriber key K, 128 bits as 32 lowercase hex digits. */
  k?: string;
  /** AKA: OPc (TS 35.206 §4.1), 32 hex digits; give OPc or OP, not both. */
  opc?: string;
  /** AKA: the operator variant OP, 32 hex digits; OPc is derived from it and K. */
  op?: string;
  /** AKA: the authentication management field, 4 hex digits. */
  amf?: string;
  /**
   * Runtime: SQN_HE, the sequence number of the last vector handed out (TS 33.102 Annex C),
   * 0..2^48-1. Taken from the input on create (e.g. migrated from another HSS), then changed
   * only through `updateAuthState`.
   */
  sqn?: number;
  /** Digest: the realm the HA1 values were computed for (default: the realm of the IMPI). */
  digestRealm?: string;
  /** Digest MD5: H(A1) = MD5(impi:realm:password), 32 hex digits (RFC 7616 §3.4.2). */
  ha1Md5?: string;
  /** Digest SHA-256: H(A1) = SHA-256(impi:realm:password), 64 hex digits (RFC 7616 §3.4.2). */
  ha1Sha256?: string;
  /** IMPUs this IMPI may register (TS 23.228 figure 4.6); absent: every IMPU of the subscription. */
  publicIdentities?: string[];
}

/** TS 23.008 §5.1.2 IMS user state, per public identity. */
export type RegistrationState = 'NOT_REGISTERED' | 'REGISTERED' | 'UNREGISTERED';

/** A public identity (IMPU, or a PSI) of TS 23.003 §13.4, §13.5. */
export interface PublicIdentity {
  /** SIP or tel URI in normalised form (identity.ts); a wildcarded one holds `!regex!`. */
  impu: string;
  identityType: IdentityType;
  /** TS 29.228 Annex B.2.1: barred identities are not used for sessions (except emergency). */
  barringIndication?: boolean;
  displayName?: string;
  /** TS 29.228 Annex B.2.1 AliasIdentityGroupID: identities that are aliases of each other. */
  aliasIdentityGroupId?: string;
  /** The service profile of this identity (TS 23.228: exactly one per public identity). */
  serviceProfileId: string;
  /** Runtime: registration state (NOT_REGISTERED when never registered). */
  registrationState?: RegistrationState;
  /** Runtime: the IMPIs this IMPU is registered with (TS 29.228 §6.1.2). */
  registeredPrivateIdentities?: string[];
}

/** TS 29.228 Annex B.2.1 ServiceProfile. */
export interface ServiceProfile {
  id: string;
  initialFilterCriteria: InitialFilterCriteria[];
  /** SharedIFCSetID values (TS 29.228 Annex B.2.3); their iFCs are in `SharedIfcSet`s. */
  sharedIfcSetIds?: number[];
  /** CoreNetworkServicesAuthorization/SubscribedMediaProfileId. */
  subscribedMediaProfileId?: number;
}

/**
 * TS 23.228 §4.3.3.2, §5.2.1a / TS 29.228 §6.1.2: public identities registered together. The first is
 * the default public identity of the set. An IMPU in no set is a set of its own.
 */
export interface ImplicitRegistrationSet {
  id: string;
  publicIdentities: string[];
}

/** TS 29.229 §6.3.4 Server-Capabilities: what the I-CSCF uses to pick an S-CSCF. */
export interface ServerCapabilities {
  mandatoryCapabilities: number[];
  optionalCapabilities: number[];
  /** Server-Name: S-CSCFs preferred for this user (SIP URIs). */
  serverNames: string[];
}

/** TS 29.229 §6.3.19 Charging-Information: the CDF / OCS addresses (DiameterURIs). */
export interface ChargingInformation {
  primaryEventChargingFunctionName?: string;
  secondaryEventChargingFunctionName?: string;
  primaryChargingCollectionFunctionName?: string;
  secondaryChargingCollectionFunctionName?: string;
}

/** Runtime: the S-CSCF serving the subscription (TS 23.008 §5.1.3 S-CSCF name, Diameter address). */
export interface ServerAssignment {
  /** The S-CSCF's SIP URI (Server-Name). */
  scscfName: string;
  /** Origin-Host / Origin-Realm of the S-CSCF, where RTR and PPR go. */
  diameterHost?: string;
  diameterRealm?: string;
}

/** Runtime: the registration of one public identity. */
export interface ImpuRegistration {
  impu: string;
  registrationState: RegistrationState;
  /** The IMPIs it is registered with; empty unless REGISTERED. */
  registeredPrivateIdentities: string[];
}

/**
 * Runtime: the registration data of a whole subscription, what `updateRegistration` reads and
 * writes atomically: the S-CSCF serving it and the state of each of its public identities.
 */
export interface RegistrationView {
  subscriptionId: string;
  serverAssignment?: ServerAssignment;
  /** Every public identity of the subscription, in provisioning order. */
  publicIdentities: ImpuRegistration[];
}

/** An IMS subscription (TS 23.228 figure 4.6). */
export interface Subscription {
  /** Assigned by the store on create when absent. */
  id: string;
  /** At least one, unless every public identity is a PSI. */
  privateIdentities: PrivateIdentity[];
  publicIdentities: PublicIdentity[];
  serviceProfiles: ServiceProfile[];
  implicitRegistrationSets?: ImplicitRegistrationSet[];
  serverCapabilities?: ServerCapabilities;
  chargingInformation?: ChargingInformation;
  /** Runtime: absent while no S-CSCF serves the subscription. */
  serverAssignment?: ServerAssignment;
}

/** What provisioning gives: a subscription whose id the store may assign. */
export type NewSubscription = Omit<Subscription, 'id'> & { id?: string };

/** TS 29.328 §7.6 Data-Reference values an application server may use on Sh, per operation. */
export interface ShPermissions {
  /** UDR: Data-References it may read. */
  read: number[];
  /** PUR: Data-References it may update (RepositoryData 0, PSIActivation 18, ...). */
  update: number[];
  /** SNR: Data-References it may subscribe to. */
  subscribe: number[];
}

/** An application server known to the HSS: iFC template and Sh identity (TS 29.328 §6.2 AS permissions). */
export interface ApplicationServerDefinition {
  /** Provisioning key. */
  name: string;
  /** SIP URI the S-CSCF sends requests to (iFC ApplicationServer/ServerName). */
  serverName: string;
  defaultHandling: DefaultHandling;
  serviceInfo?: string;
  includeRegisterRequest?: boolean;
  includeRegisterResponse?: boolean;
  /** Origin-Host of the AS on Sh. */
  diameterHost?: string;
  shPermissions?: ShPermissions;
}

/** A shared iFC set (TS 29.228 Annex B.2.3, §6.6.3): iFCs an S-CSCF may hold locally. */
export interface SharedIfcSet {
  id: number;
  initialFilterCriteria: InitialFilterCriteria[];
}

/** TS 29.328 §7.6.1 / TS 29.328 Annex D RepositoryData: transparent data per service indication. */
export interface RepositoryData {
  serviceIndication: string;
  /** 0..65535; 0 only on creation, then +1 per update, 65535 wraps to 1 (TS 29.328 §6.1.2.1). */
  sequenceNumber: number;
  /** ServiceData: the AS's own content (XML or text), opaque to the HSS. */
  data: string;
}

/** An Sh subscription to notifications (SNR, TS 29.328 §6.1.4). */
export interface ShSubscription {
  /** The public identity (or PSI) watched. */
  impu: string;
  /** Origin-Host of the subscribing AS: where PNRs go. */
  applicationServerHost: string;
  dataReference: number;
  /** For RepositoryData (and DSAI): which service indications; empty otherwise. */
  serviceIndications: string[];
  /** Expiry-Time as milliseconds since the epoch; absent: until unsubscribed. */
  expiresAt?: number;
}

/** The identity type values that are PSIs rather than user identities. */
export function isPsi(type: IdentityType): boolean {
  return type === IdentityType.DISTINCT_PSI || type === IdentityType.WILDCARDED_PSI;
}

/**
 * TS 29.228 §6.1.2: the IMPUs registered together with `impu` (its implicit registration set,
 * default identity first), or just `impu` when it is in none.
 */
export function implicitRegistrationSetOf(subscription: Subscription, impu: string): string[] {
  const set = subscription.implicitRegistrationSets?.find((s) => s.publicIdentities.includes(impu));
  return set ? [...set.publicIdentities] : [impu];
}

/** The IMPUs `impi` may use: its own list, or every public identity of the subscription. */
export function publicIdentitiesOf(subscription: Subscription, impi: string): string[] {
  const pi = subscription.privateIdentities.find((p) => p.impi === impi);
  if (pi === undefined) return [];
  return pi.publicIdentities ? [...pi.publicIdentities] : subscription.publicIdentities.map((p) => p.impu);
}
