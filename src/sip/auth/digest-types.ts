/**
 * Digest algorithms (RFC 7616 §3.3 and §6.1, RFC 3310 §3.1, RFC 4169 §4). The `-sess`
 * variants and SHA-512-256 are computed for completeness; a server of this project offers
 * MD5, SHA-256, AKAv1-MD5 and AKAv2-MD5.
 */
export const DIGEST_ALGORITHMS = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
  'AKAv1-MD5',
  'AKAv2-MD5',
] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];
export type AkaAlgorithm = Extract<DigestAlgorithm, 'AKAv1-MD5' | 'AKAv2-MD5'>;

/** RFC 7616 §3.3: quality of protection. */
export type DigestQop = 'auth' | 'auth-int';

/** A Digest challenge (WWW-Authenticate / Proxy-Authenticate), values unquoted. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Absent on the wire means MD5 (RFC 2617 §3.2.1). */
  algorithm: DigestAlgorithm;
  /** Offered qop values; empty for an RFC 2069 style challenge. */
  qop: DigestQop[];
  opaque?: string | undefined;
  /** RFC 7616 §3.3: the previous nonce was stale but the response was right. */
  stale?: boolean | undefined;
  domain?: string | undefined;
  /** TS 24.229 §7.2A.1: IK and CK (hex) from the S-CSCF to the P-CSCF, removed before the UE. */
  ik?: string | undefined;
  ck?: string | undefined;
}

/** Digest credentials (Authorization / Proxy-Authorization), values unquoted. */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  /** Absent on the wire means MD5 (RFC 2617 §3.2.2). */
  algorithm: DigestAlgorithm;
  qop?: DigestQop | undefined;
  cnonce?: string | undefined;
  /** nonce-count, 8 hex digits as sent (RFC 7616 §3.4). */
  nc?: string | undefined;
  opaque?: string | undefined;
  /** RFC 3310 §3.4: base64 of AUTS, on synchronisation failure. */
  auts?: string | undefined;
  /** TS 24.229 §7.2A.2: added by the P-CSCF ("yes", "no", "tls-yes", "ip-assoc-yes"...). */
  integrityProtected?: string | undefined;
}
