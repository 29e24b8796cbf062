/**
 * A whole subscription from the few values an operator types (`ims subscriber add`, one CSV line
 * of `ims subscriber import`, the demo subscribers): the defaults of ARCHITECTURE.md §7.
 */
import { createHash } from 'node:crypto';
import {
  defaultPrivateIdentity,
  IdentityType,
  normalizePublicIdentity,
  privateIdentityRealm,
} from '../../ims/identity.ts';
import type { InitialFilterCriteria } from '../../ims/ifc/model.ts';
import {
  type AuthenticationScheme,
  DEFAULT_AMF,
  type NewSubscription,
  type PrivateIdentity,
} from './model.ts';

/** What `ims subscriber add` and the CSV columns (impu,impi,password,k,op,opc,amf,tel) give. */
export interface SubscriberOptions {
  impu: string;
  /** Default: derived from the IMPU (`sip:alice@ims.test` → `alice@ims.test`). */
  impi?: string;
  /** Digest password: only its HA1 values are kept (MD5 and SHA-256). */
  password?: string;
  /** Digest realm the HA1 values are for; default: the realm of the IMPI. */
  realm?: string;
  k?: string;
  opc?: string;
  op?: string;
  amf?: string;
  /** A tel URI or +E.164 number added to the same service profile and implicit registration set. */
  tel?: string;
  displayName?: string;
  initialFilterCriteria?: InitialFilterCriteria[];
  /** Subscription id; default: the store assigns one. */
  id?: string;
}

/** H(A1) of RFC 7616 §3.4.2 (RFC 2617 §3.2.2.2 for MD5): H(username ":" realm ":" password), hex. */
export function digestHa1(
  algorithm: 'MD5' | 'SHA-256',
  username: string,
  realm: string,
  password: string,
): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(`${username}:${realm}:${password}`, 'utf8')
    .digest('hex');
}

/**
 * Builds the subscription: one IMPI, the IMPU (and the tel URI if given) in one service
 * profile and one implicit registration set. Schemes: MD5 and SHA-256 digest when a password is
 * given, AKAv1/AKAv2 when K is; both kinds when both are (ARCHITECTURE.md §7). With neither,
 * the digest schemes are still listed and validation asks for the password's HA1.
 * Throws IdentityError when the IMPU (or tel) is not a valid identity; the rest is checked by
 * `validateSubscription`.
 */
export function newSubscription(options: SubscriberOptions): NewSubscription {
  const impu = normalizePublicIdentity(options.impu);
  const impi = options.impi ?? defaultPrivateIdentity(impu, options.realm);
  const schemes: AuthenticationScheme[] = [];
  const pi: PrivateIdentity = { impi, allowedSchemes: schemes };
  if (options.password !== undefined || options.k === undefined) schemes.push('MD5', 'SHA-256');
  if (options.password !== undefined) {
    const realm = options.realm ?? privateIdentityRealm(impi) ?? '';
    pi.digestRealm = realm;
    pi.ha1Md5 = digestHa1('MD5', impi, realm, options.password);
    pi.ha1Sha256 = digestHa1('SHA-256', impi, realm, options.password);
  }
  if (options.k !== undefined) {
    schemes.push('AKAv1-MD5', 'AKAv2-MD5');
    pi.k = options.k.toLowerCase();
    if (options.opc !== undefined) pi.opc = options.opc.toLowerCase();
    if (options.op !== undefined) pi.op = options.op.toLowerCase();
    pi.amf = (options.amf ?? DEFAULT_AMF).toLowerCase();
    pi.sqn = 0;
  }
  const impus = [impu];
  if (options.tel !== undefined)
    impus.push(normalizePublicIdentity(options.tel.startsWith('tel:') ? options.tel : `tel:${options.tel}`));
  const profileId = 'default';
  return {
    ...(options.id !== undefined ? { id: options.id } : {}),
    privateIdentities: [pi],
    publicIdentities: impus.map((u, i) => ({
      impu: u,
      identityType: IdentityType.PUBLIC_USER_IDENTITY,
      serviceProfileId: profileId,
      ...(i === 0 && options.displayName !== undefined ? { displayName: options.displayName } : {}),
    })),
    serviceProfiles: [
      { id: profileId, initialFilterCriteria: options.initialFilterCriteria ?? [], sharedIfcSetIds: [] },
    ],
    implicitRegistrationSets: [{ id: 'irs-1', publicIdentities: impus }],
  };
}
