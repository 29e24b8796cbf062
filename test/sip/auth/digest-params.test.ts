import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  challengeFromParams,
  challengeToParams,
  credentialsFromParams,
  credentialsToParams,
  parseAlgorithm,
} from '../../../src/sip/auth/digest-params.ts';
import type { DigestChallenge, DigestCredentials } from '../../../src/sip/auth/digest-types.ts';
import { DigestError } from '../../../src/sip/auth/errors.ts';
import { AUTHORIZATION, formatAuth, WWW_AUTHENTICATE } from '../../../src/sip/message/auth-header.ts';

const errorCode = (code: string) => (e: unknown) => e instanceof DigestError && e.code === code;

describe('Digest parameters <-> typed objects', () => {
  it('a challenge goes to params in wire order and comes back equal', () => {
    const challenge: DigestChallenge = {
      realm: 'ims.test',
      nonce: 'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=',
      algorithm: 'AKAv1-MD5',
      qop: ['auth', 'auth-int'],
      opaque: '5ccc069c403ebaf9',
      stale: true,
      ik: '00112233445566778899aabbccddeeff',
      ck: 'ffeeddccbbaa99887766554433221100',
    };
    const auth = challengeToParams(challenge);
    assert.equal(auth.scheme, 'Digest');
    assert.deepEqual(Object.keys(auth.params), [
      'realm',
      'nonce',
      'algorithm',
      'qop',
      'opaque',
      'stale',
      'ik',
      'ck',
    ]);
    assert.equal(auth.params.qop, 'auth,auth-int');
    assert.deepEqual(challengeFromParams(auth), { ...challenge, domain: undefined });
  });

  it('reads a challenge as RFC 2617 allows: no algorithm means MD5, unknown qop values skipped', () => {
    const c = challengeFromParams({
      scheme: 'digest',
      params: { realm: 'r', nonce: 'n', qop: 'auth-conf, AUTH' },
    });
    assert.equal(c.algorithm, 'MD5');
    assert.deepEqual(c.qop, ['auth']);
    assert.equal(c.stale, undefined);
    assert.equal(
      challengeFromParams({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', stale: 'FALSE' } }).stale,
      false,
    );
  });

  it('credentials go to params and come back equal, with auts and integrity-protected', () => {
    const credentials: DigestCredentials = {
      username: 'alice@ims.test',
      realm: 'ims.test',
      nonce: 'abc',
      uri: 'sip:ims.test',
      response: '6629fae49393a05397450978507c4ef1',
      algorithm: 'AKAv2-MD5',
      qop: 'auth',
      cnonce: '0a4f113b',
      nc: '00000001',
      opaque: 'xyz',
      auts: 'TyA5OS3dS7QxbtShRog=',
      integrityProtected: 'yes',
    };
    const auth = credentialsToParams(credentials);
    assert.equal(auth.params['integrity-protected'], 'yes');
    assert.deepEqual(credentialsFromParams(auth), credentials);
  });

  it('accepts the empty response and nonce of an initial IMS REGISTER', () => {
    const c = credentialsFromParams({
      scheme: 'Digest',
      params: { username: 'alice@ims.test', realm: 'ims.test', nonce: '', uri: 'sip:ims.test', response: '' },
    });
    assert.equal(c.response, '');
    assert.equal(c.qop, undefined);
  });

  it('names a missing parameter, a wrong scheme, an unknown algorithm or qop', () => {
    assert.throws(
      () => challengeFromParams({ scheme: 'Digest', params: { realm: 'r' } }),
      errorCode('MISSING_PARAMETER'),
    );
    assert.throws(
      () =>
        credentialsFromParams({
          scheme: 'Digest',
          params: { username: 'u', realm: 'r', nonce: 'n', uri: 'u' },
        }),
      (e) => e instanceof DigestError && /'response'/.test(e.message),
    );
    assert.throws(
      () => challengeFromParams({ scheme: 'Basic', params: { realm: 'r', nonce: 'n' } }),
      errorCode('BAD_PARAMETER'),
    );
    assert.throws(() => parseAlgorithm('SHA-1'), errorCode('UNSUPPORTED_ALGORITHM'));
    assert.throws(
      () =>
        credentialsFromParams({
          scheme: 'Digest',
          params: { username: 'u', realm: 'r', nonce: 'n', uri: 'u', response: 'x', qop: 'auth-conf' },
        }),
      errorCode('BAD_PARAMETER'),
    );
  });

  it('compares algorithm tokens case-insensitively', () => {
    assert.equal(parseAlgorithm('akav1-md5'), 'AKAv1-MD5');
    assert.equal(parseAlgorithm('sha-256'), 'SHA-256');
    assert.equal(parseAlgorithm(undefined), 'MD5');
  });

  it('survives the header text of the SIP message layer both ways', () => {
    const challenge: DigestChallenge = {
      realm: 'ims.test',
      nonce: 'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=',
      algorithm: 'AKAv1-MD5',
      qop: ['auth'],
      opaque: '5ccc069c',
    };
    const text = formatAuth(challengeToParams(challenge), 'challenge');
    assert.match(
      text,
      /^Digest realm="ims.test", nonce="I1U8.*", algorithm=AKAv1-MD5, qop="auth", opaque="5ccc069c"$/,
    );
    assert.deepEqual(challengeFromParams(WWW_AUTHENTICATE.parse(text)), {
      ...challenge,
      stale: undefined,
      domain: undefined,
      ik: undefined,
      ck: undefined,
    });
    const credentials: DigestCredentials = {
      username: 'alice@ims.test',
      realm: 'ims.test',
      nonce: challenge.nonce,
      uri: 'sip:ims.test',
      response: '10e638568923367b9d5d4ee3148650e2',
      algorithm: 'AKAv1-MD5',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      opaque: '5ccc069c',
      auts: 'TyA5OS3dS7QxbtShRog=',
    };
    const line = formatAuth(credentialsToParams(credentials), 'credentials');
    assert.deepEqual(credentialsFromParams(AUTHORIZATION.parse(line)), {
      ...credentials,
      integrityProtected: undefined,
    });
  });
});
