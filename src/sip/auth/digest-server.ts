import { timingSafeEqual } from 'node:crypto';
import { detachedString } from '../../util/detached-string.ts';
import { randomBuffer, randomText } from '../message/random-text.ts';
import { akaPassword, decodeAuts, encodeAkaNonce } from './aka-digest.ts';
import { computeHa1, computeResponse } from './digest-hash.ts';
import type { AkaAlgorithm, DigestAlgorithm, DigestChallenge, DigestCredentials } from './digest-types.ts';
import { DigestError } from './errors.ts';
import { NonceTable } from './nonce-table.ts';

export interface DigestServerOptions {
  /** Realm of challenges that name none (the home domain). */
  realm: string;
  /** How long a nonce may be used; default 300 s. */
  nonceLifetimeMs?: number;
  /** Bound on outstanding nonces (memory under a flood of unanswered challenges); default 100 000. */
  maxNonces?: number;
  /** Random octets appended to RAND ‖ AUTN in AKA nonces (RFC 3310 §3.2 server data); default 8. */
  akaServerDataLength?: number;
  /** Clock in milliseconds; injected by tests. */
  now?: () => number;
}

/** A plain Digest challenge for a user whose H(A1) the caller holds (e.g. from a Cx MAA). */
export interface DigestChallengeRequest {
  username: string;
  /** H(username:realm:password) for `algorithm` and `realm`: the password itself is never needed. */
  ha1: string;
  algorithm?: Exclude<DigestAlgorithm, AkaAlgorithm>;
  realm?: string;
  stale?: boolean;
}

/** An AKA challenge from one authentication vector (RFC 3310, RFC 4169). */
export interface AkaChallengeRequest {
  username: string;
  vector: { rand: Uint8Array; autn: Uint8Array; xres: Uint8Array; ck: Uint8Array; ik: Uint8Array };
  algorithm?: AkaAlgorithm;
  realm?: string;
  stale?: boolean;
  /** TS 24.229 §5.4.1.2.1: the S-CSCF adds ik and ck for the P-CSCF, which removes them. */
  includeKeys?: boolean;
}

/** The request the credentials came with. */
export interface DigestRequest {
  method: string;
  /** When given, the digest uri must equal it (RFC 7616 §3.4.6, as the caller compares URIs). */
  uri?: string | undefined;
}

export type DigestRejection =
  | 'UNKNOWN_NONCE'
  | 'USERNAME_MISMATCH'
  | 'REALM_MISMATCH'
  | 'ALGORITHM_MISMATCH'
  | 'OPAQUE_MISMATCH'
  | 'QOP_MISMATCH'
  | 'URI_MISMATCH'
  | 'BAD_NONCE_COUNT'
  | 'NONCE_COUNT_REPLAY'
  | 'BAD_AUTS'
  | 'WRONG_RESPONSE';

export type DigestVerification =
  | {
      outcome: 'authenticated';
      username: string;
      realm: string;
      algorithm: DigestAlgorithm;
      nc: number;
      /** AKA only: the session keys of the vector (IPsec, TS 33.203 §7). */
      ck?: Buffer;
      ik?: Buffer;
    }
  /** The response was right but the nonce expired: challenge again with stale=true (RFC 7616 §3.3). */
  | { outcome: 'stale'; username: string; realm: string }
  /** RFC 3310 §3.4: the client sent AUTS; ask the HSS to resynchronise with RAND ‖ AUTS (TS 29.228). */
  | { outcome: 'resync'; username: string; realm: string; rand: Buffer; auts: Buffer }
  | { outcome: 'rejected'; reason: DigestRejection };

/** What the server keeps per nonce: the expected H(A1), never XRES or a password. */
interface Issued {
  username: string;
  realm: string;
  algorithm: DigestAlgorithm;
  ha1: string;
  opaque: string;
  aka?: { rand: Buffer; ck: Buffer; ik: Buffer };
}

const NC = /^[0-9a-fA-F]{8}$/;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The server side of Digest (RFC 7616) and Digest AKA (RFC 3310, RFC 4169) for a registrar
 * or proxy: issues challenges with qop=auth, a fresh nonce and opaque, and verifies
 * credentials against them, with nonce lifetime, nonce-count replay protection, stale
 * nonces and AKA resynchronisation. Storage of users is the caller's: it passes H(A1) or an
 * authentication vector with each challenge.
 */
export class DigestServer {
  readonly realm: string;
  readonly #nonces: NonceTable<Issued>;
  readonly #akaServerDataLength: number;

  constructor(options: DigestServerOptions) {
    this.realm = options.realm;
    const lifetimeMs = options.nonceLifetimeMs ?? 300_000;
    this.#akaServerDataLength = options.akaServerDataLength ?? 8;
    this.#nonces = new NonceTable<Issued>({
      lifetimeMs,
      retainMs: lifetimeMs,
      maxEntries: options.maxNonces ?? 100_000,
      now: options.now ?? Date.now,
    });
  }

  /** Number of nonces remembered (outstanding or recently expired). */
  get outstandingNonces(): number {
    return this.#nonces.size;
  }

  challengeDigest(request: DigestChallengeRequest): DigestChallenge {
    const nonce = randomText(24, 'base64');
    return this.#issue(nonce, request.stale, {
      username: request.username,
      realm: request.realm ?? this.realm,
      algorithm: request.algorithm ?? 'MD5',
      ha1: request.ha1.toLowerCase(),
    });
  }

  challengeAka(request: AkaChallengeRequest): DigestChallenge {
    const { vector } = request;
    const algorithm = request.algorithm ?? 'AKAv1-MD5';
    const realm = request.realm ?? this.realm;
    const nonce = encodeAkaNonce(vector.rand, vector.autn, randomBuffer(this.#akaServerDataLength));
    const challenge = this.#issue(nonce, request.stale, {
      username: request.username,
      realm,
      algorithm,
      ha1: computeHa1(
        algorithm,
        request.username,
        realm,
        akaPassword(algorithm, vector.xres, vector.ik, vector.ck),
      ),
      aka: { rand: Buffer.from(vector.rand), ck: Buffer.from(vector.ck), ik: Buffer.from(vector.ik) },
    });
    if (request.includeKeys) {
      challenge.ik = Buffer.from(vector.ik).toString('hex');
      challenge.ck = Buffer.from(vector.ck).toString('hex');
    }
    return challenge;
  }

  verify(credentials: DigestCredentials, request: DigestRequest): DigestVerification {
    const found = this.#nonces.lookup(credentials.nonce);
    if (!found) return { outcome: 'rejected', reason: 'UNKNOWN_NONCE' };
    const issued = found.data;
    const mismatch = this.#mismatch(issued, credentials, request);
    if (mismatch) return { outcome: 'rejected', reason: mismatch };

    if (credentials.auts !== undefined) {
      if (!issued.aka) return { outcome: 'rejected', reason: 'BAD_AUTS' };
      let auts: Buffer;
      try {
        auts = decodeAuts(credentials.auts);
      } catch (err) {
        if (err instanceof DigestError) return { outcome: 'rejected', reason: 'BAD_AUTS' };
        throw err;
      }
      // RFC 3310 §3.4: that response is computed from an empty password and proves nothing;
      // AUTS carries its own MAC-S, which the HSS verifies. The vector is spent either way.
      this.#nonces.delete(credentials.nonce);
      return {
        outcome: 'resync',
        username: issued.username,
        realm: issued.realm,
        rand: issued.aka.rand,
        auts,
      };
    }

    const ncText = credentials.nc ?? '';
    if (!NC.test(ncText)) return { outcome: 'rejected', reason: 'BAD_NONCE_COUNT' };
    const expected = computeResponse({
      algorithm: issued.algorithm,
      ha1: issued.ha1,
      nonce: credentials.nonce,
      method: request.method,
      uri: credentials.uri,
      qop: credentials.qop,
      nc: ncText,
      cnonce: credentials.cnonce,
    });
    if (!sameText(expected, credentials.response.toLowerCase()))
      return { outcome: 'rejected', reason: 'WRONG_RESPONSE' };
    if (found.expired) return { outcome: 'stale', username: issued.username, realm: issued.realm };
    // RFC 7616 §3.4: the client increments nc for each request with the same nonce; a count
    // seen before is a replay. Recorded only after the response verified.
    const nc = Number.parseInt(ncText, 16);
    if (!this.#nonces.acceptNonceCount(credentials.nonce, nc)) {
      return { outcome: 'rejected', reason: 'NONCE_COUNT_REPLAY' };
    }
    return {
      outcome: 'authenticated',
      username: issued.username,
      realm: issued.realm,
      algorithm: issued.algorithm,
      nc,
      ...(issued.aka ? { ck: issued.aka.ck, ik: issued.aka.ik } : {}),
    };
  }

  #issue(nonce: string, stale: boolean | undefined, fields: Omit<Issued, 'opaque'>): DigestChallenge {
    const opaque = randomText(8, 'hex');
    // Kept for the nonce's lifetime: the user name and realm as copies, not views into the request.
    this.#nonces.add(nonce, {
      ...fields,
      username: detachedString(fields.username),
      realm: detachedString(fields.realm),
      opaque,
    });
    return {
      realm: fields.realm,
      nonce,
      algorithm: fields.algorithm,
      qop: ['auth'],
      opaque,
      stale: stale || undefined,
    };
  }

  /** The parameters that must echo the challenge (RFC 7616 §3.4). */
  #mismatch(issued: Issued, c: DigestCredentials, request: DigestRequest): DigestRejection | undefined {
    if (c.username !== issued.username) return 'USERNAME_MISMATCH';
    if (c.realm !== issued.realm) return 'REALM_MISMATCH';
    if (c.algorithm !== issued.algorithm) return 'ALGORITHM_MISMATCH';
    if (c.opaque !== issued.opaque) return 'OPAQUE_MISMATCH';
    if (request.uri !== undefined && c.uri !== request.uri) return 'URI_MISMATCH';
    // Only qop=auth is offered; RFC 7616 §3.4 makes qop mandatory when it was offered.
    if (c.auts === undefined && c.qop !== 'auth') return 'QOP_MISMATCH';
    return undefined;
  }
}
