import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { computeHa1, computeResponse, digestHash, userhash } from '../../../src/sip/auth/digest-hash.ts';
import type { DigestAlgorithm, DigestQop } from '../../../src/sip/auth/digest-types.ts';

const ex = JSON.parse(readFileSync(new URL('../../fixtures/digest-examples.json', import.meta.url), 'utf8'));

interface Example {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
}

function response(e: Example, algorithm: DigestAlgorithm, qop: DigestQop | undefined, body?: string): string {
  return computeResponse({
    algorithm,
    ha1: computeHa1(algorithm, e.username, e.realm, e.password),
    nonce: e.nonce,
    method: e.method,
    uri: e.uri,
    qop,
    nc: e.nc,
    cnonce: e.cnonce,
    body,
  });
}

describe('Digest computations (RFC 7616 §3.4)', () => {
  it('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const e = ex.rfc2617_section_3_5;
    assert.equal(response(e, 'MD5', 'auth'), e.response);
  });

  it('RFC 7616 §3.9.1 example, MD5 and SHA-256', () => {
    const e = ex.rfc7616_section_3_9_1;
    assert.equal(response(e, 'MD5', 'auth'), e.response_MD5);
    assert.equal(response(e, 'SHA-256', 'auth'), e['response_SHA-256']);
  });

  it('RFC 7616 §3.9.2 example (SHA-512-256, userhash) follows FIPS 180-4 SHA-512/256', () => {
    const e = ex.rfc7616_section_3_9_2_userhash;
    const plain = { ...e, username: e.username_plain };
    // The RFC's printed values come from truncated SHA-512; see the DEVIATION in digest-hash.ts.
    assert.equal(
      userhash('SHA-512-256', plain.username, plain.realm),
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    );
    assert.equal(
      response(plain, 'SHA-512-256', 'auth'),
      '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5',
    );
    assert.notEqual(response(plain, 'SHA-512-256', 'auth'), e.rfc_response);
  });

  describe('SIP examples (bob@biloxi.com)', () => {
    const e = ex.sip_digest_bob_biloxi;
    it('H(A1) of the password is the stored HA1', () =>
      assert.equal(computeHa1('MD5', e.username, e.realm, e.password), e.HA1));
    for (const c of e.cases) {
      it(`${c.algorithm}, qop=${c.qop ?? 'none'}`, () => {
        const body = c.qop === 'auth-int' ? 'body' : undefined;
        const r = computeResponse({
          algorithm: c.algorithm,
          ha1: e.HA1,
          nonce: e.nonce,
          method: e.method,
          uri: e.uri,
          qop: c.qop ?? undefined,
          nc: e.nc,
          cnonce: e.cnonce,
          body,
        });
        if (c.qop === 'auth-int') {
          // The example gives H(entity-body), not the body: recompute A2 from it.
          const ha2 = digestHash('MD5', e.method, e.uri, c.body_md5);
          assert.equal(digestHash('MD5', e.HA1, e.nonce, e.nc, e.cnonce, 'auth-int', ha2), c.response);
          assert.notEqual(r, c.response, 'a different body changes the response');
          return;
        }
        if (c.session_HA1) assert.equal(digestHash('MD5', e.HA1, e.nonce, e.cnonce), c.session_HA1);
        assert.equal(r, c.response);
      });
    }
  });

  it('auth-int hashes the body into A2', () => {
    const e = ex.sip_digest_bob_biloxi;
    const a = computeResponse({
      algorithm: 'MD5',
      ha1: e.HA1,
      nonce: e.nonce,
      method: e.method,
      uri: e.uri,
      qop: 'auth-int',
      nc: e.nc,
      cnonce: e.cnonce,
      body: 'v=0\r\n',
    });
    const b = computeResponse({
      algorithm: 'MD5',
      ha1: e.HA1,
      nonce: e.nonce,
      method: e.method,
      uri: e.uri,
      qop: 'auth-int',
      nc: e.nc,
      cnonce: e.cnonce,
      body: Buffer.from('v=0\r\n'),
    });
    const ha2 = digestHash('MD5', e.method, e.uri, digestHash('MD5', 'v=0\r\n'));
    assert.equal(a, digestHash('MD5', e.HA1, e.nonce, e.nc, e.cnonce, 'auth-int', ha2));
    assert.equal(a, b);
  });

  it('AKAv1-MD5 public vector: the password is RES as raw octets', () => {
    const e = ex.akav1_md5_public_vector;
    const ha1 = computeHa1('AKAv1-MD5', e.username, e.realm, Buffer.from(e.derived_res, 'hex'));
    const r = (h: string) =>
      computeResponse({
        algorithm: 'AKAv1-MD5',
        ha1: h,
        nonce: e.nonce,
        method: e.method,
        uri: e.uri,
        qop: 'auth',
        nc: e.nc,
        cnonce: e.cnonce,
      });
    assert.equal(r(ha1), e.response);
    assert.notEqual(
      r(computeHa1('AKAv1-MD5', e.username, e.realm, e.derived_res)),
      e.response,
      'not the hex text',
    );
  });
});
