import type { AuthValue } from '../message/auth-header.ts';
import {
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestChallenge,
  type DigestCredentials,
  type DigestQop,
} from './digest-types.ts';
import { DigestError } from './errors.ts';

// Conversion between the typed Digest objects and the AuthValue `{ scheme, params }` of the
// SIP message layer (parameter names lowercased, values unquoted). Quoting is that layer's job.

const BY_LOWERCASE = new Map<string, DigestAlgorithm>(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a]));

/** RFC 7616 §3.3: algorithm tokens compare case-insensitively; absent means MD5. */
export function parseAlgorithm(token: string | undefined): DigestAlgorithm {
  if (token === undefined) return 'MD5';
  const algorithm = BY_LOWERCASE.get(token.toLowerCase());
  if (!algorithm) throw new DigestError('UNSUPPORTED_ALGORITHM', `algorithm '${token}' is not supported`);
  return algorithm;
}

function parseQop(token: string): DigestQop {
  const qop = token.trim().toLowerCase();
  if (qop !== 'auth' && qop !== 'auth-int')
    throw new DigestError('BAD_PARAMETER', `qop '${token}' is not supported`);
  return qop;
}

function required(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined)
    throw new DigestError('MISSING_PARAMETER', `Digest parameter '${name}' is missing`);
  return value;
}

function requireDigest(auth: AuthValue): void {
  if (auth.scheme.toLowerCase() !== 'digest') {
    throw new DigestError('BAD_PARAMETER', `scheme '${auth.scheme}' is not Digest`);
  }
}

/** Drops undefined values so the record holds only parameters to send. */
function defined(entries: [string, string | undefined][]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of entries) if (value !== undefined) params[name] = value;
  return params;
}

export function challengeToParams(challenge: DigestChallenge): AuthValue {
  return {
    scheme: 'Digest',
    params: defined([
      ['realm', challenge.realm],
      ['nonce', challenge.nonce],
      ['algorithm', challenge.algorithm],
      // RFC 7616 §3.3: qop-options is a quoted, comma-separated list.
      ['qop', challenge.qop.length ? challenge.qop.join(',') : undefined],
      ['opaque', challenge.opaque],
      ['domain', challenge.domain],
      ['stale', challenge.stale ? 'true' : undefined],
      ['ik', challenge.ik],
      ['ck', challenge.ck],
    ]),
  };
}

/** Reads a challenge; unknown qop values are skipped, as RFC 7616 §3.3 asks of clients. */
export function challengeFromParams(auth: AuthValue): DigestChallenge {
  requireDigest(auth);
  const p = auth.params;
  const qop: DigestQop[] = [];
  for (const token of (p.qop ?? '').split(',')) {
    const value = token.trim().toLowerCase();
    if (value === 'auth' || value === 'auth-int') qop.push(value);
  }
  return {
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    algorithm: parseAlgorithm(p.algorithm),
    qop,
    opaque: p.opaque,
    stale: p.stale === undefined ? undefined : p.stale.toLowerCase() === 'true',
    domain: p.domain,
    ik: p.ik,
    ck: p.ck,
  };
}

export function credentialsToParams(credentials: DigestCredentials): AuthValue {
  return {
    scheme: 'Digest',
    params: defined([
      ['username', credentials.username],
      ['realm', credentials.realm],
      ['nonce', credentials.nonce],
      ['uri', credentials.uri],
      ['response', credentials.response],
      ['algorithm', credentials.algorithm],
      ['cnonce', credentials.cnonce],
      ['opaque', credentials.opaque],
      ['qop', credentials.qop],
      ['nc', credentials.nc],
      ['auts', credentials.auts],
      ['integrity-protected', credentials.integrityProtected],
    ]),
  };
}

export function credentialsFromParams(auth: AuthValue): DigestCredentials {
  requireDigest(auth);
  const p = auth.params;
  return {
    username: required(p, 'username'),
    realm: required(p, 'realm'),
    nonce: required(p, 'nonce'),
    uri: required(p, 'uri'),
    // TS 24.229 §5.1.1.2.1: an initial REGISTER carries response="" (empty): allowed here.
    response: required(p, 'response'),
    algorithm: parseAlgorithm(p.algorithm),
    qop: p.qop === undefined ? undefined : parseQop(p.qop),
    cnonce: p.cnonce,
    nc: p.nc,
    opaque: p.opaque,
    auts: p.auts,
    integrityProtected: p['integrity-protected'],
  };
}
