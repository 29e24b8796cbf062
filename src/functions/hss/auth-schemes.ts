/**
 * SIP-Authentication-Scheme (TS 29.229 §6.3.9) as S-CSCFs send it in a MAR, and the scheme of
 * the subscriber model (model.ts AuthenticationScheme) the HSS answers with:
 * - "Digest-AKAv1-MD5" (TS 33.203 IMS AKA, RFC 3310) and "Digest-AKAv2-MD5" (RFC 4169);
 * - "SIP Digest" (TS 33.203 Annex N, TS 29.229 §6.3.36 SIP-Digest-Authenticate); Kamailio's
 *   ims_auth and the FOKUS HSS also say "Digest-MD5" or "Digest" for it;
 * - "Unknown": the HSS chooses (TS 29.228 §6.3, "HSS-selected authentication").
 * NASS-Bundled and Early-IMS-Security need access-network data this HSS does not keep.
 */
import type { HssConfig } from './config.ts';
import { AKA_SCHEMES, type AuthenticationScheme } from './model.ts';

export const SIP_AUTHENTICATION_SCHEME = {
  AKA_V1: 'Digest-AKAv1-MD5',
  AKA_V2: 'Digest-AKAv2-MD5',
  SIP_DIGEST: 'SIP Digest',
  UNKNOWN: 'Unknown',
} as const;

/** What a MAR asks for. */
export type RequestedScheme = 'AKAv1-MD5' | 'AKAv2-MD5' | 'digest' | 'any' | 'unsupported';

const DIGEST_NAMES = ['sip digest', 'digest', 'digest-md5'];

export function requestedScheme(text: string | undefined): RequestedScheme {
  const name = (text ?? '').trim().toLowerCase();
  if (name === '' || name === 'unknown') return 'any';
  if (name === SIP_AUTHENTICATION_SCHEME.AKA_V1.toLowerCase()) return 'AKAv1-MD5';
  if (name === SIP_AUTHENTICATION_SCHEME.AKA_V2.toLowerCase()) return 'AKAv2-MD5';
  if (DIGEST_NAMES.includes(name)) return 'digest';
  return 'unsupported';
}

/**
 * The scheme to answer with, among those the private identity allows; undefined when none fits
 * (DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED, TS 29.228 §6.3.1 step 3).
 */
export function chooseScheme(
  requested: RequestedScheme,
  allowed: readonly AuthenticationScheme[],
  auth: HssConfig['auth'],
): AuthenticationScheme | undefined {
  const digest = (): AuthenticationScheme | undefined => {
    const other: AuthenticationScheme = auth.digestAlgorithm === 'MD5' ? 'SHA-256' : 'MD5';
    const order: AuthenticationScheme[] = [auth.digestAlgorithm, other];
    return order.find((s) => allowed.includes(s));
  };
  switch (requested) {
    case 'AKAv1-MD5':
    case 'AKAv2-MD5':
      return allowed.includes(requested) ? requested : undefined;
    case 'digest':
      return digest();
    case 'any': {
      const aka = [auth.akaAlgorithm, ...AKA_SCHEMES].find((s) => allowed.includes(s));
      return aka ?? digest();
    }
    default:
      return undefined;
  }
}

/** The SIP-Authentication-Scheme value of the items the HSS answers with. */
export function schemeName(scheme: AuthenticationScheme): string {
  if (scheme === 'AKAv1-MD5') return SIP_AUTHENTICATION_SCHEME.AKA_V1;
  if (scheme === 'AKAv2-MD5') return SIP_AUTHENTICATION_SCHEME.AKA_V2;
  return SIP_AUTHENTICATION_SCHEME.SIP_DIGEST;
}

export function isAka(scheme: AuthenticationScheme): boolean {
  return AKA_SCHEMES.includes(scheme);
}
