import { createHmac } from 'node:crypto';
import type { AkaAlgorithm } from './digest-types.ts';
import { DigestError } from './errors.ts';

const RAND_LENGTH = 16;
const AUTN_LENGTH = 16;
const AUTS_LENGTH = 14;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What an AKA nonce carries (RFC 3310 §3.2). */
export interface AkaNonce {
  rand: Buffer;
  autn: Buffer;
  serverData: Buffer;
}

function decodeBase64(what: string, text: string): Buffer {
  if (!BASE64.test(text) || text.length % 4 === 1) {
    throw new DigestError('BAD_PARAMETER', `${what}: not base64`);
  }
  return Buffer.from(text, 'base64');
}

/** RFC 3310 §3.2: nonce = base64(RAND ‖ AUTN ‖ server specific data). */
export function encodeAkaNonce(
  rand: Uint8Array,
  autn: Uint8Array,
  serverData: Uint8Array = Buffer.alloc(0),
): string {
  if (rand.length !== RAND_LENGTH || autn.length !== AUTN_LENGTH) {
    throw new DigestError('BAD_PARAMETER', 'AKA nonce: RAND and AUTN are 16 octets each');
  }
  return Buffer.concat([rand, autn, serverData]).toString('base64');
}

/** Splits an AKA nonce; throws DigestError BAD_CHALLENGE when it is too short or not base64. */
export function decodeAkaNonce(nonce: string): AkaNonce {
  let octets: Buffer;
  try {
    octets = decodeBase64('AKA nonce', nonce);
  } catch {
    throw new DigestError('BAD_CHALLENGE', 'AKA nonce is not base64');
  }
  if (octets.length < RAND_LENGTH + AUTN_LENGTH) {
    throw new DigestError('BAD_CHALLENGE', `AKA nonce holds ${octets.length} octets, fewer than RAND ‖ AUTN`);
  }
  return {
    rand: octets.subarray(0, RAND_LENGTH),
    autn: octets.subarray(RAND_LENGTH, RAND_LENGTH + AUTN_LENGTH),
    serverData: octets.subarray(RAND_LENGTH + AUTN_LENGTH),
  };
}

/** RFC 3310 §3.4: the auts parameter is base64(AUTS). */
export function encodeAuts(auts: Uint8Array): string {
  return Buffer.from(auts).toString('base64');
}

/** Decodes the auts parameter; throws DigestError BAD_PARAMETER unless it is 14 octets. */
export function decodeAuts(text: string): Buffer {
  const auts = decodeBase64('auts', text);
  if (auts.length !== AUTS_LENGTH) {
    throw new DigestError('BAD_PARAMETER', `auts holds ${auts.length} octets, not ${AUTS_LENGTH}`);
  }
  return auts;
}

/**
 * The Digest password of an AKA run, as octets:
 * - AKAv1-MD5, RFC 3310 §3.3: RES itself.
 * - AKAv2-MD5, RFC 4169 §4: base64(PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password")), PRF =
 *   HMAC-MD5 for the MD5 variant, the base64 text taken as the password.
 * On synchronisation failure both use an empty password (RFC 3310 §3.4).
 */
export function akaPassword(
  algorithm: AkaAlgorithm,
  res: Uint8Array,
  ik: Uint8Array,
  ck: Uint8Array,
): Buffer {
  if (algorithm === 'AKAv1-MD5') return Buffer.from(res);
  const prf = createHmac('md5', Buffer.concat([res, ik, ck]))
    .update('http-digest-akav2-password')
    .digest();
  return Buffer.from(prf.toString('base64'));
}
