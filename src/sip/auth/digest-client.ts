import { randomBytes } from 'node:crypto';
import type { Usim, UsimAuthentication } from '../../aka/usim.ts';
import { akaPassword, decodeAkaNonce, encodeAuts } from './aka-digest.ts';
import { computeHa1, computeResponse } from './digest-hash.ts';
import type { DigestChallenge, DigestCredentials, DigestQop } from './digest-types.ts';
import { DigestError } from './errors.ts';

/** The request being authorized. */
export interface ClientRequest {
  method: string;
  /** digest-uri: the Request-URI (RFC 3261 §22.4). */
  uri: string;
  /** Message body, needed only if the server offers nothing but qop=auth-int. */
  body?: string | Uint8Array | undefined;
}

export interface ClientOptions {
  /** nonce-count: 1 for the first request with this nonce (RFC 7616 §3.4). */
  nc?: number;
  /** Defaults to 8 random octets in hex. */
  cnonce?: string;
}

/** What a plain Digest user knows: a password, or H(A1) for the challenge's algorithm and realm. */
export type DigestSecret = { password: string | Uint8Array } | { ha1: string };

/** RFC 7616 §3.4: qop=auth preferred; auth-int only when it is all the server offers. */
function chooseQop(challenge: DigestChallenge): DigestQop | undefined {
  if (challenge.qop.includes('auth')) return 'auth';
  if (challenge.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

function credentials(
  challenge: DigestChallenge,
  username: string,
  ha1: string,
  request: ClientRequest,
  options: ClientOptions,
): DigestCredentials {
  const qop = chooseQop(challenge);
  const nc = qop ? (options.nc ?? 1).toString(16).padStart(8, '0') : undefined;
  const cnonce =
    qop || challenge.algorithm.endsWith('-sess')
      ? (options.cnonce ?? randomBytes(8).toString('hex'))
      : undefined;
  return {
    username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: request.uri,
    response: computeResponse({
      algorithm: challenge.algorithm,
      ha1,
      nonce: challenge.nonce,
      method: request.method,
      uri: request.uri,
      qop,
      nc,
      cnonce,
      body: request.body,
    }),
    algorithm: challenge.algorithm,
    qop,
    nc,
    cnonce,
    opaque: challenge.opaque,
  };
}

/** Credentials answering a Digest challenge (RFC 7616 §3.4) for a password or stored H(A1). */
export function answerDigestChallenge(
  challenge: DigestChallenge,
  username: string,
  secret: DigestSecret,
  request: ClientRequest,
  options: ClientOptions = {},
): DigestCredentials {
  const ha1 =
    'ha1' in secret
      ? secret.ha1
      : computeHa1(challenge.algorithm, username, challenge.realm, secret.password);
  return credentials(challenge, username, ha1, request, options);
}

export interface AkaAnswer {
  credentials: DigestCredentials;
  /** What the USIM concluded: on 'sync-failure' the credentials carry auts. */
  usim: UsimAuthentication;
}

/**
 * Credentials answering a Digest AKA challenge (RFC 3310, RFC 4169) the way a UE does: the
 * USIM checks AUTN from the nonce, then
 * - on success the password is RES (AKAv1) or derived from RES, IK, CK (AKAv2);
 * - on an SQN out of range the credentials carry auts and a response computed with an empty
 *   password (RFC 3310 §3.4), asking the network to resynchronise;
 * - on a MAC failure it throws AkaError MAC_FAILURE: the network is not authentic.
 */
export function answerAkaChallenge(
  challenge: DigestChallenge,
  username: string,
  usim: Usim,
  request: ClientRequest,
  options: ClientOptions = {},
): AkaAnswer {
  const { algorithm } = challenge;
  if (algorithm !== 'AKAv1-MD5' && algorithm !== 'AKAv2-MD5') {
    throw new DigestError('BAD_CHALLENGE', `algorithm ${algorithm} is not Digest AKA`);
  }
  const { rand, autn } = decodeAkaNonce(challenge.nonce);
  const result = usim.authenticate(rand, autn);
  const password =
    result.outcome === 'authenticated'
      ? akaPassword(algorithm, result.res, result.ik, result.ck)
      : Buffer.alloc(0);
  const ha1 = computeHa1(algorithm, username, challenge.realm, password);
  const answer = credentials(challenge, username, ha1, request, options);
  if (result.outcome === 'sync-failure') answer.auts = encodeAuts(result.auts);
  return { credentials: answer, usim: result };
}
