import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerDigestChallenge } from '../../../src/sip/auth/digest-client.ts';
import { computeHa1 } from '../../../src/sip/auth/digest-hash.ts';
import {
  challengeFromParams,
  challengeToParams,
  credentialsFromParams,
  credentialsToParams,
} from '../../../src/sip/auth/digest-params.ts';
import { DigestServer } from '../../../src/sip/auth/digest-server.ts';
import type { DigestCredentials } from '../../../src/sip/auth/digest-types.ts';

const username = 'alice@ims.test';
const realm = 'ims.test';
const password = 'correct horse';
const register = { method: 'REGISTER', uri: 'sip:ims.test' };

function setup(options: { nonceLifetimeMs?: number; maxNonces?: number } = {}) {
  const clock = { now: 0 };
  const server = new DigestServer({ realm, now: () => clock.now, ...options });
  return { clock, server };
}

describe('DigestServer: plain Digest (RFC 7616)', () => {
  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    it(`${algorithm}: a client with the password authenticates against the stored HA1`, () => {
      const { server } = setup();
      const ha1 = computeHa1(algorithm, username, realm, password);
      const challenge = server.challengeDigest({ username, ha1, algorithm });
      assert.equal(challenge.algorithm, algorithm);
      assert.deepEqual(challenge.qop, ['auth']);
      assert.equal(challenge.realm, realm);
      assert.ok(challenge.opaque);
      const credentials = answerDigestChallenge(challenge, username, { password }, register);
      assert.deepEqual(server.verify(credentials, register), {
        outcome: 'authenticated',
        username,
        realm,
        algorithm,
        nc: 1,
      });
    });
  }

  it('rejects a wrong password', () => {
    const { server } = setup();
    const challenge = server.challengeDigest({ username, ha1: computeHa1('MD5', username, realm, password) });
    const credentials = answerDigestChallenge(challenge, username, { password: 'wrong' }, register);
    assert.deepEqual(server.verify(credentials, register), { outcome: 'rejected', reason: 'WRONG_RESPONSE' });
  });

  it('works through the { scheme, params } shape of the SIP message layer', () => {
    const { server } = setup();
    const ha1 = computeHa1('SHA-256', username, realm, password);
    const sent = challengeToParams(server.challengeDigest({ username, ha1, algorithm: 'SHA-256' }));
    const credentials = answerDigestChallenge(challengeFromParams(sent), username, { ha1 }, register);
    const received = credentialsFromParams(credentialsToParams(credentials));
    assert.equal(server.verify(received, register).outcome, 'authenticated');
  });

  it('a nonce is reused with increasing nonce-counts; a replayed count is rejected', () => {
    const { server } = setup();
    const challenge = server.challengeDigest({ username, ha1: computeHa1('MD5', username, realm, password) });
    const nth = (nc: number) => answerDigestChallenge(challenge, username, { password }, register, { nc });
    assert.equal(server.verify(nth(1), register).outcome, 'authenticated');
    assert.equal(server.verify(nth(2), register).outcome, 'authenticated');
    assert.deepEqual(server.verify(nth(2), register), { outcome: 'rejected', reason: 'NONCE_COUNT_REPLAY' });
    assert.deepEqual(server.verify(nth(1), register), { outcome: 'rejected', reason: 'NONCE_COUNT_REPLAY' });
    assert.equal(server.verify(nth(3), register).outcome, 'authenticated');
  });

  it('a wrong response does not use up the nonce-count', () => {
    const { server } = setup();
    const challenge = server.challengeDigest({ username, ha1: computeHa1('MD5', username, realm, password) });
    const forged = answerDigestChallenge(challenge, username, { password: 'guess' }, register);
    assert.equal(server.verify(forged, register).outcome, 'rejected');
    assert.equal(
      server.verify(answerDigestChallenge(challenge, username, { password }, register), register).outcome,
      'authenticated',
    );
  });

  describe('nonce lifetime (fake clock)', () => {
    const ha1 = computeHa1('MD5', username, realm, password);

    it('an expired nonce with a right response is stale; with a wrong one, rejected', () => {
      const { clock, server } = setup({ nonceLifetimeMs: 30_000 });
      const challenge = server.challengeDigest({ username, ha1 });
      clock.now = 29_999;
      assert.equal(
        server.verify(answerDigestChallenge(challenge, username, { password }, register), register).outcome,
        'authenticated',
      );
      clock.now = 30_000;
      const late = answerDigestChallenge(challenge, username, { password }, register, { nc: 2 });
      assert.deepEqual(server.verify(late, register), { outcome: 'stale', username, realm });
      const wrong = answerDigestChallenge(challenge, username, { password: 'x' }, register, { nc: 3 });
      assert.deepEqual(server.verify(wrong, register), { outcome: 'rejected', reason: 'WRONG_RESPONSE' });
    });

    it('a nonce long past its lifetime is unknown', () => {
      const { clock, server } = setup({ nonceLifetimeMs: 30_000 });
      const challenge = server.challengeDigest({ username, ha1 });
      clock.now = 60_000;
      assert.deepEqual(
        server.verify(answerDigestChallenge(challenge, username, { password }, register), register),
        {
          outcome: 'rejected',
          reason: 'UNKNOWN_NONCE',
        },
      );
      assert.equal(server.outstandingNonces, 0);
    });

    it('says stale=true in the challenge that follows', () => {
      const { server } = setup();
      const challenge = server.challengeDigest({ username, ha1, stale: true });
      assert.equal(challenge.stale, true);
      assert.equal(challengeToParams(challenge).params.stale, 'true');
      assert.equal(server.challengeDigest({ username, ha1 }).stale, undefined);
    });
  });

  describe('parameters that must echo the challenge', () => {
    const { server } = setup();
    const ha1 = computeHa1('MD5', username, realm, password);
    const good = (): DigestCredentials =>
      answerDigestChallenge(server.challengeDigest({ username, ha1 }), username, { password }, register);
    const cases: [string, (c: DigestCredentials) => DigestCredentials, string][] = [
      ['an unknown nonce', (c) => ({ ...c, nonce: 'bm9wZQ==' }), 'UNKNOWN_NONCE'],
      ['another username', (c) => ({ ...c, username: 'bob@ims.test' }), 'USERNAME_MISMATCH'],
      ['another realm', (c) => ({ ...c, realm: 'other.test' }), 'REALM_MISMATCH'],
      ['another algorithm', (c) => ({ ...c, algorithm: 'SHA-256' }), 'ALGORITHM_MISMATCH'],
      ['no opaque', (c) => ({ ...c, opaque: undefined }), 'OPAQUE_MISMATCH'],
      ['no qop', (c) => ({ ...c, qop: undefined }), 'QOP_MISMATCH'],
      ['a bad nc', (c) => ({ ...c, nc: '1' }), 'BAD_NONCE_COUNT'],
      [
        'a digest uri other than the Request-URI',
        (c) => ({ ...c, uri: 'sip:127.0.0.1:6060' }),
        'URI_MISMATCH',
      ],
      ['auts on a plain Digest nonce', (c) => ({ ...c, auts: 'AAAAAAAAAAAAAAAAAAA=' }), 'BAD_AUTS'],
    ];
    for (const [what, change, reason] of cases) {
      it(`rejects ${what}: ${reason}`, () => {
        assert.deepEqual(server.verify(change(good()), register), { outcome: 'rejected', reason });
      });
    }
    it('does not compare the uri when the caller gives none', () => {
      const c = good();
      assert.equal(server.verify(c, { method: 'REGISTER' }).outcome, 'authenticated');
    });
  });

  it('keeps at most maxNonces outstanding, forgetting the oldest', () => {
    const { server } = setup({ maxNonces: 2 });
    const ha1 = computeHa1('MD5', username, realm, password);
    const first = server.challengeDigest({ username, ha1 });
    server.challengeDigest({ username, ha1 });
    server.challengeDigest({ username, ha1 });
    assert.equal(server.outstandingNonces, 2);
    const c = answerDigestChallenge(first, username, { password }, register);
    assert.deepEqual(server.verify(c, register), { outcome: 'rejected', reason: 'UNKNOWN_NONCE' });
  });

  it('issues a different nonce and opaque for each challenge', () => {
    const { server } = setup();
    const ha1 = computeHa1('MD5', username, realm, password);
    const a = server.challengeDigest({ username, ha1 });
    const b = server.challengeDigest({ username, ha1 });
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.opaque, b.opaque);
  });
});
