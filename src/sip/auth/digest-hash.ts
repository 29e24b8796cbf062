import { createHash } from 'node:crypto';
import type { DigestAlgorithm, DigestQop } from './digest-types.ts';

/** The node:crypto hash behind each algorithm's H(). */
const HASH: Record<DigestAlgorithm, string> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
  // RFC 7616 §3.2 names FIPS 180-4 SHA-512/256, which has its own initial values.
  // DEVIATION: the worked example of RFC 7616 §3.9.2 only reproduces with SHA-512 truncated
  // to 256 bits; we follow the normative reference, not the example.
  'SHA-512-256': 'sha512-256',
  'SHA-512-256-sess': 'sha512-256',
  // RFC 3310 §3.1, RFC 4169 §4: AKA digests hash with MD5.
  'AKAv1-MD5': 'md5',
  'AKAv2-MD5': 'md5',
};

type Input = string | Uint8Array;

/** H(data) in lowercase hex (RFC 7616 §3.4.1: "KD" and "H" produce hex strings). */
export function digestHash(algorithm: DigestAlgorithm, ...parts: Input[]): string {
  const hash = createHash(HASH[algorithm]);
  parts.forEach((part, i) => {
    if (i > 0) hash.update(':');
    hash.update(part);
  });
  return hash.digest('hex');
}

/**
 * H(A1) with A1 = username ":" realm ":" passwd (RFC 7616 §3.4.2). For AKA the password is the
 * octet string of RFC 3310 §3.3 / RFC 4169, so it is taken as bytes, not text.
 */
export function computeHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: Input,
): string {
  return digestHash(algorithm, username, realm, password);
}

/** RFC 7616 §3.4.4: the hashed username sent when userhash=true, H(username ":" realm). */
export function userhash(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return digestHash(algorithm, username, realm);
}

export interface ResponseInput {
  algorithm: DigestAlgorithm;
  /** H(A1) of username, realm and password, as stored instead of the password. */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: DigestQop | undefined;
  nc?: string | undefined;
  cnonce?: string | undefined;
  /** The message body, for qop=auth-int. */
  body?: Input | undefined;
}

/** The request-digest (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 without qop). */
export function computeResponse(input: ResponseInput): string {
  const { algorithm, nonce, qop } = input;
  // RFC 7616 §3.4.2: for -sess algorithms, A1 also covers the nonce and cnonce.
  const ha1 = algorithm.endsWith('-sess')
    ? digestHash(algorithm, input.ha1, nonce, input.cnonce ?? '')
    : input.ha1;
  // RFC 7616 §3.4.3: A2 = Method ":" request-uri [":" H(entity-body)].
  const ha2 =
    qop === 'auth-int'
      ? digestHash(algorithm, input.method, input.uri, digestHash(algorithm, input.body ?? ''))
      : digestHash(algorithm, input.method, input.uri);
  return qop
    ? digestHash(algorithm, ha1, nonce, input.nc ?? '', input.cnonce ?? '', qop, ha2)
    : digestHash(algorithm, ha1, nonce, ha2);
}
