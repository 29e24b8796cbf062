/**
 * Authentication of REGISTER at the S-CSCF (TS 24.229 §5.4.1.2.1, TS 33.203 §6.1): Cx MAR for
 * an IMS AKA vector (Digest-AKAv1/v2, RFC 3310, RFC 4169) or the SIP Digest H(A1) (TS 33.203
 * Annex N), a 401 challenge, verification of the answer, re-synchronisation on `auts`.
 *
 * Each challenge (its nonce, with the vector or H(A1) kept by DigestServer) lives until it is
 * used or its nonce expires; a wrong answer forgets it. Nothing is locked: REGISTERs of
 * different UEs go through in parallel, each with its own nonce.
 */
import { ExperimentalResultCode } from '../../diameter/result-code.ts';
import { defaultPrivateIdentity } from '../../ims/identity.ts';
import type { Logger } from '../../log/logger.ts';
import {
  challengeToParams,
  credentialsFromParams,
  type DigestChallenge,
  type DigestCredentials,
  DigestServer,
} from '../../sip/auth/index.ts';
import { AUTHORIZATION, formatAuth, type SipRequest } from '../../sip/message/index.ts';
import { detachedString } from '../../util/detached-string.ts';
import type { ScscfConfig } from './config.ts';
import { AUTH_SCHEME, type CxFailure, type ScscfCx } from './cx-client.ts';

interface Issued {
  impi: string;
  impu: string;
  /** The IMPI was derived from the IMPU (a first REGISTER without Authorization). */
  derived: boolean;
  aka: boolean;
  /** The SIP-Authentication-Scheme asked in the MAR. */
  scheme: string;
  expiresAt: number;
}

export type AuthOutcome =
  | { kind: 'authenticated'; impi: string; integrityProtected: boolean }
  /** The registrar answers with this (401 challenge, 403, 5xx). */
  | { kind: 'answer'; status: number; reason?: string; headers?: [string, string][] };

/** TS 24.229 §7.2A.2: the values by which the P-CSCF says the REGISTER came protected. */
const PROTECTED = new Set(['yes', 'tls-yes', 'ip-assoc-yes', 'tls-connected']);

export class RegisterAuthenticator {
  readonly #digest: DigestServer;
  readonly #issued = new Map<string, Issued>();
  readonly #lifetimeMs: number;

  constructor(
    private readonly cx: ScscfCx,
    private readonly config: ScscfConfig,
    private readonly log: Logger,
    /** Whether `impu` is registered here by `impi` (a protected re-registration needs no challenge). */
    private readonly isRegistered: (impu: string, impi: string) => Promise<boolean>,
  ) {
    this.#lifetimeMs = config.registrar.nonceLifetime * 1000;
    this.#digest = new DigestServer({
      realm: config.domains[0] ?? 'ims.test',
      nonceLifetimeMs: this.#lifetimeMs,
    });
  }

  /** Outstanding challenges (for tests and status). */
  get outstanding(): number {
    return this.#issued.size;
  }

  /** Forgets challenges long unanswered (the DigestServer bounds its own table). */
  purge(now: number): void {
    for (const [nonce, issued] of this.#issued)
      if (issued.expiresAt + this.#lifetimeMs < now) this.#issued.delete(nonce);
  }

  async authenticate(request: SipRequest, impu: string): Promise<AuthOutcome> {
    const realm = hostOf(request);
    let credentials: DigestCredentials | undefined;
    try {
      const auth = request.all(AUTHORIZATION).find((a) => a.scheme.toLowerCase() === 'digest');
      credentials = auth === undefined ? undefined : credentialsFromParams(auth);
    } catch (err) {
      return { kind: 'answer', status: 400, reason: `Bad Authorization: ${(err as Error).message}` };
    }
    if (credentials === undefined) {
      // TS 24.229 §5.4.1.2.1 and baresip's first REGISTER: no Authorization, so the private
      // identity is derived from the public one (TS 23.003 §13.3); the next REGISTER names it.
      let impi: string;
      try {
        impi = defaultPrivateIdentity(impu, realm);
      } catch {
        return { kind: 'answer', status: 403, reason: 'No private identity' };
      }
      // A REGISTER with no Authorization at all comes from a plain SIP phone (an IMS UE sends
      // one with its IMPI, TS 24.229 §5.1.1.2.1): with the scheme left open, SIP Digest is
      // asked first, so a subscriber provisioned with both a password and AKA keys can use
      // either kind of phone; one without a password gets its AKA challenge.
      const open = this.#defaultScheme() === AUTH_SCHEME.UNKNOWN;
      return this.#challenge({
        impi,
        impu,
        derived: true,
        realm,
        scheme: open ? AUTH_SCHEME.DIGEST : this.#defaultScheme(),
        ...(open ? { fallback: AUTH_SCHEME.UNKNOWN } : {}),
      });
    }
    const impi = credentials.username;
    const scheme = schemeOf(credentials) ?? this.#defaultScheme();
    const issued = this.#issued.get(credentials.nonce);
    // An empty response is an initial REGISTER (TS 24.229 §5.1.1.2.1), unless it carries auts:
    // some UEs send response="" with their AUTS instead of one computed from an empty password.
    if (issued === undefined || (credentials.response === '' && credentials.auts === undefined)) {
      // TS 24.229 §5.4.1.2.1: a REGISTER the P-CSCF got over an established security
      // association, from a UE registered by this IMPI, needs no new challenge.
      if (
        credentials.integrityProtected !== undefined &&
        PROTECTED.has(credentials.integrityProtected) &&
        (await this.isRegistered(impu, impi))
      )
        return { kind: 'authenticated', impi, integrityProtected: true };
      // An initial REGISTER, or a nonce we never issued or forgot (restart): challenge.
      return this.#challenge({ impi, impu, derived: false, realm, scheme });
    }
    const verified = this.#digest.verify(credentials, { method: request.method });
    switch (verified.outcome) {
      case 'authenticated':
        // An AKA vector is used once (TS 33.203 §6.1); a digest nonce may serve refreshes with nc+1.
        if (issued.aka) this.#issued.delete(credentials.nonce);
        if (issued.impu !== impu) {
          this.#issued.delete(credentials.nonce);
          return { kind: 'answer', status: 403, reason: 'Challenge was for another public identity' };
        }
        return { kind: 'authenticated', impi: verified.username, integrityProtected: false };
      case 'stale':
        this.#issued.delete(credentials.nonce);
        return this.#challenge({ impi, impu, derived: false, realm, scheme: issued.scheme, stale: true });
      case 'resync':
        // RFC 3310 §3.4, TS 33.203 §6.1.2: AUTS goes to the HSS with the RAND it answers.
        this.#issued.delete(credentials.nonce);
        this.log.info({ impi, impu, callId: request.callId }, 'AKA re-synchronisation');
        return this.#challenge({
          impi,
          impu,
          derived: false,
          realm,
          scheme: issued.scheme,
          resync: Buffer.concat([verified.rand, verified.auts]),
        });
      case 'rejected':
        if (verified.reason === 'USERNAME_MISMATCH' && issued.derived) {
          // The IMPI guessed from the IMPU was not the UE's: challenge the one it names.
          this.#issued.delete(credentials.nonce);
          return this.#challenge({ impi, impu, derived: false, realm, scheme });
        }
        // TS 24.229 §5.4.1.2.3: a wrong answer is refused and the challenge forgotten.
        this.#issued.delete(credentials.nonce);
        this.log.info(
          { impi, impu, reason: verified.reason, callId: request.callId },
          'authentication failed',
        );
        return { kind: 'answer', status: 403, reason: 'Authentication failed' };
    }
  }

  #defaultScheme(): string {
    return this.config.registrar.defaultAuthScheme;
  }

  async #challenge(c: {
    impi: string;
    impu: string;
    derived: boolean;
    realm: string;
    scheme: string;
    stale?: boolean;
    resync?: Buffer;
    /** Scheme to ask for when the HSS refuses `scheme` (5006 AUTH_SCHEME_NOT_SUPPORTED). */
    fallback?: string;
  }): Promise<AuthOutcome> {
    const data = await this.cx.authenticationData(c.impi, c.impu, c.scheme, c.resync);
    if (!data.ok) {
      const code = data.failure.result?.code;
      if (
        c.fallback !== undefined &&
        code === ExperimentalResultCode.DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED
      )
        return this.#challenge({ ...c, scheme: c.fallback, fallback: undefined });
      return failureAnswer(data.failure);
    }
    let challenge: DigestChallenge;
    if (data.value.kind === 'aka') {
      challenge = this.#digest.challengeAka({
        username: c.impi,
        vector: data.value.vector,
        algorithm: data.value.algorithm,
        realm: c.realm,
        ...(c.stale ? { stale: true } : {}),
        includeKeys: this.config.registrar.includeAkaKeys,
      });
    } else {
      challenge = this.#digest.challengeDigest({
        username: c.impi,
        ha1: data.value.ha1,
        algorithm: data.value.algorithm,
        realm: data.value.realm,
        ...(c.stale ? { stale: true } : {}),
      });
    }
    // Kept until the nonce expires: copies, not views into the REGISTER's text.
    this.#issued.set(challenge.nonce, {
      impi: detachedString(c.impi),
      impu: detachedString(c.impu),
      derived: c.derived,
      aka: data.value.kind === 'aka',
      scheme: c.scheme,
      expiresAt: Date.now() + this.#lifetimeMs,
    });
    this.log.info({ impi: c.impi, impu: c.impu, algorithm: challenge.algorithm }, 'REGISTER challenged');
    return {
      kind: 'answer',
      status: 401,
      headers: [['WWW-Authenticate', formatAuth(challengeToParams(challenge), 'challenge')]],
    };
  }
}

function failureAnswer(failure: CxFailure): AuthOutcome {
  return { kind: 'answer', status: failure.status, reason: failure.reason };
}

/** The MAR scheme a UE's Authorization asks for: an AKA algorithm names one; anything else leaves it open. */
function schemeOf(credentials: DigestCredentials): string | undefined {
  if (credentials.algorithm === 'AKAv1-MD5') return AUTH_SCHEME.AKA_V1;
  if (credentials.algorithm === 'AKAv2-MD5') return AUTH_SCHEME.AKA_V2;
  // An answer to a digest challenge: the same scheme again (a plain first Authorization says nothing).
  if (credentials.response !== '' && credentials.nonce !== '') return AUTH_SCHEME.DIGEST;
  return undefined;
}

function hostOf(request: SipRequest): string {
  const uri = request.uri as { host?: string };
  return typeof uri.host === 'string' ? uri.host.toLowerCase() : 'ims.test';
}
