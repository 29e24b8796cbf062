import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AkaError } from '../../../src/aka/errors.ts';
import { Milenage } from '../../../src/aka/milenage.ts';
import { SqnScheme } from '../../../src/aka/sqn.ts';
import { Usim } from '../../../src/aka/usim.ts';
import {
  type AuthenticationVector,
  generateAuthenticationVector,
  verifyAuts,
} from '../../../src/aka/vectors.ts';
import { decodeAkaNonce } from '../../../src/sip/auth/aka-digest.ts';
import { answerAkaChallenge } from '../../../src/sip/auth/digest-client.ts';
import { computeHa1, computeResponse } from '../../../src/sip/auth/digest-hash.ts';
import { DigestServer } from '../../../src/sip/auth/digest-server.ts';
import type { AkaAlgorithm } from '../../../src/sip/auth/digest-types.ts';

const username = 'alice@ims.test';
const k = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');
const op = Buffer.from('cdc202d5123e20f62b6d676ac72cb318', 'hex');
const amf = Buffer.from('8000', 'hex');
const register = { method: 'REGISTER', uri: 'sip:ims.test' };

/** The HSS side as it will be: K, OPc and the SQN it persists; vectors on demand. */
class TestHss {
  readonly milenage = Milenage.fromOp(k, op);
  readonly scheme = new SqnScheme();
  sqnHe = 0;

  vector(): AuthenticationVector {
    this.sqnHe = this.scheme.next(this.sqnHe);
    return generateAuthenticationVector(this.milenage, { sqn: this.sqnHe, amf });
  }

  /** Cx MAR with RAND ‖ AUTS (TS 29.228): verify, resynchronise, then a fresh vector. */
  resynchronise(rand: Buffer, auts: Buffer): AuthenticationVector {
    this.sqnHe = this.scheme.afterResync(this.sqnHe, verifyAuts(this.milenage, rand, auts));
    return this.vector();
  }
}

describe('IMS AKA round trip: HSS, S-CSCF (DigestServer), UE (Usim + client)', () => {
  for (const algorithm of ['AKAv1-MD5', 'AKAv2-MD5'] as AkaAlgorithm[]) {
    it(`${algorithm}: the UE computes RES from RAND/AUTN with K/OP and the server accepts it`, () => {
      const hss = new TestHss();
      const server = new DigestServer({ realm: 'ims.test' });
      const ue = new Usim({ k, op });
      const vector = hss.vector();
      const challenge = server.challengeAka({ username, vector, algorithm });
      assert.equal(challenge.algorithm, algorithm);
      const { rand, autn, serverData } = decodeAkaNonce(challenge.nonce);
      assert.deepEqual([rand, autn, serverData.length], [vector.rand, vector.autn, 8]);

      const answer = answerAkaChallenge(challenge, username, ue, register);
      assert.equal(answer.usim.outcome, 'authenticated');
      assert.equal(answer.credentials.auts, undefined);
      const verdict = server.verify(answer.credentials, register);
      assert.equal(verdict.outcome, 'authenticated');
      assert.ok(verdict.outcome === 'authenticated');
      assert.deepEqual([verdict.ck, verdict.ik], [vector.ck, vector.ik]);
    });
  }

  it('synchronisation failure: a UE ahead of the HSS sends AUTS, the HSS recovers SQN_MS, the next challenge succeeds', () => {
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    // The USIM was used elsewhere: every IND slot is ahead of the HSS.
    const scheme = new SqnScheme();
    const ue = new Usim({ k, op, state: { seqMs: new Array<number>(32).fill(1000) } });

    const first = server.challengeAka({ username, vector: hss.vector() });
    const failed = answerAkaChallenge(first, username, ue, register);
    assert.ok(failed.usim.outcome === 'sync-failure');
    assert.ok(failed.credentials.auts);

    const verdict = server.verify(failed.credentials, register);
    assert.ok(verdict.outcome === 'resync');
    assert.deepEqual(verdict.rand, decodeAkaNonce(first.nonce).rand);
    const fresh = hss.resynchronise(verdict.rand, verdict.auts);
    assert.equal(scheme.seq(hss.sqnHe), 1001, 'continues from SQN_MS');

    const second = server.challengeAka({ username, vector: fresh });
    const answer = answerAkaChallenge(second, username, ue, register);
    assert.equal(answer.usim.outcome, 'authenticated');
    assert.equal(server.verify(answer.credentials, register).outcome, 'authenticated');
    // The nonce of the failed run is spent.
    assert.deepEqual(server.verify(failed.credentials, register), {
      outcome: 'rejected',
      reason: 'UNKNOWN_NONCE',
    });
  });

  it('the sync-failure response is computed with an empty password (RFC 3310 §3.4)', () => {
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    const ue = new Usim({ k, op, state: { seqMs: new Array<number>(32).fill(1000) } });
    const challenge = server.challengeAka({ username, vector: hss.vector() });
    const { credentials } = answerAkaChallenge(challenge, username, ue, register, {
      cnonce: 'c0ffee',
      nc: 1,
    });
    const expected = computeResponse({
      algorithm: 'AKAv1-MD5',
      ha1: computeHa1('AKAv1-MD5', username, 'ims.test', ''),
      nonce: challenge.nonce,
      method: 'REGISTER',
      uri: register.uri,
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c0ffee',
    });
    assert.equal(credentials.response, expected);
  });

  it('a replayed AUTN is rejected by the UE with AUTS, and the HSS keeps its SQN', () => {
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    const ue = new Usim({ k, op });
    const vector = hss.vector();
    const challenge = server.challengeAka({ username, vector });
    assert.equal(answerAkaChallenge(challenge, username, ue, register).usim.outcome, 'authenticated');

    // An attacker replays the same challenge (same RAND and AUTN) to the UE.
    const replayed = server.challengeAka({ username, vector });
    const answer = answerAkaChallenge(replayed, username, ue, register);
    assert.ok(answer.usim.outcome === 'sync-failure');
    assert.equal(answer.usim.reason, 'NOT_FRESH');
    const verdict = server.verify(answer.credentials, register);
    assert.ok(verdict.outcome === 'resync');
    const before = hss.sqnHe;
    const next = hss.resynchronise(verdict.rand, verdict.auts);
    assert.equal(next.sqn, hss.scheme.next(before), 'SQN_HE was already ahead: it stays');
    const ok = answerAkaChallenge(server.challengeAka({ username, vector: next }), username, ue, register);
    assert.equal(server.verify(ok.credentials, register).outcome, 'authenticated');
  });

  it('a challenge not made with the subscriber K is rejected by the UE (MAC failure)', () => {
    const server = new DigestServer({ realm: 'ims.test' });
    const impostor = Milenage.fromOp(Buffer.alloc(16, 0x55), op);
    const vector = generateAuthenticationVector(impostor, { sqn: 33, amf });
    const challenge = server.challengeAka({ username, vector });
    assert.throws(
      () => answerAkaChallenge(challenge, username, new Usim({ k, op }), register),
      (e) => e instanceof AkaError && e.code === 'MAC_FAILURE',
    );
  });

  it('a wrong RES is rejected by the server', () => {
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    const challenge = server.challengeAka({ username, vector: hss.vector() });
    const { credentials } = answerAkaChallenge(challenge, username, new Usim({ k, op }), register);
    const forged = {
      ...credentials,
      response: computeResponse({
        algorithm: 'AKAv1-MD5',
        ha1: computeHa1('AKAv1-MD5', username, 'ims.test', Buffer.alloc(8)),
        nonce: challenge.nonce,
        method: 'REGISTER',
        uri: register.uri,
        qop: 'auth',
        nc: credentials.nc,
        cnonce: credentials.cnonce,
      }),
    };
    assert.deepEqual(server.verify(forged, register), { outcome: 'rejected', reason: 'WRONG_RESPONSE' });
  });

  it('SIPp-style client: RAND and AUTN from the first 32 nonce octets, raw RES as the AKAv1 password', () => {
    // INTEROP.md: SIPp 3.6.1 ignores SQN and hashes RES as the password; the server data
    // after RAND ‖ AUTN must not disturb it.
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    const challenge = server.challengeAka({ username, vector: hss.vector() });
    const octets = Buffer.from(challenge.nonce, 'base64');
    const rand = octets.subarray(0, 16);
    const res = Milenage.fromOp(k, op).f2345(rand).res;
    const cnonce = '6b8b4567';
    const response = computeResponse({
      algorithm: 'AKAv1-MD5',
      ha1: computeHa1('AKAv1-MD5', username, challenge.realm, res),
      nonce: challenge.nonce,
      method: 'REGISTER',
      uri: register.uri,
      qop: 'auth',
      nc: '00000001',
      cnonce,
    });
    const verdict = server.verify(
      {
        username,
        realm: challenge.realm,
        nonce: challenge.nonce,
        uri: register.uri,
        response,
        algorithm: 'AKAv1-MD5',
        qop: 'auth',
        nc: '00000001',
        cnonce,
        opaque: challenge.opaque,
      },
      register,
    );
    assert.equal(verdict.outcome, 'authenticated');
  });

  it('adds ik and ck for the P-CSCF when asked (TS 24.229)', () => {
    const hss = new TestHss();
    const server = new DigestServer({ realm: 'ims.test' });
    const vector = hss.vector();
    const challenge = server.challengeAka({ username, vector, includeKeys: true });
    assert.equal(challenge.ik, vector.ik.toString('hex'));
    assert.equal(challenge.ck, vector.ck.toString('hex'));
    assert.equal(server.challengeAka({ username, vector: hss.vector() }).ik, undefined);
  });
});
