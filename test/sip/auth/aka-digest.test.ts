import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Milenage } from '../../../src/aka/milenage.ts';
import {
  akaPassword,
  decodeAkaNonce,
  decodeAuts,
  encodeAkaNonce,
  encodeAuts,
} from '../../../src/sip/auth/aka-digest.ts';
import { computeHa1, computeResponse } from '../../../src/sip/auth/digest-hash.ts';
import { DigestError } from '../../../src/sip/auth/errors.ts';

const ex = JSON.parse(readFileSync(new URL('../../fixtures/digest-examples.json', import.meta.url), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');

describe('Digest AKA (RFC 3310, RFC 4169)', () => {
  const d = ex.akav1_akav2_derived_from_ts35208_set1;
  const keys = Milenage.fromOp(hex(d.k), hex(d.op)).f2345(hex(d.rand));

  it('nonce = base64(RAND ‖ AUTN ‖ server data) (RFC 3310 §3.2)', () => {
    assert.equal(encodeAkaNonce(hex(d.rand), hex(d.autn)), d.nonce);
    const withData = encodeAkaNonce(hex(d.rand), hex(d.autn), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const decoded = decodeAkaNonce(withData);
    assert.equal(decoded.rand.toString('hex'), d.rand);
    assert.equal(decoded.autn.toString('hex'), d.autn);
    assert.deepEqual([...decoded.serverData], [1, 2, 3, 4, 5, 6, 7, 8]);
    const pub = decodeAkaNonce(ex.akav1_md5_public_vector.nonce);
    assert.equal(pub.autn.toString('hex'), ex.akav1_md5_public_vector.derived_autn);
  });

  it('rejects a nonce that is not base64 or shorter than RAND ‖ AUTN', () => {
    const bad = (e: unknown) => e instanceof DigestError && e.code === 'BAD_CHALLENGE';
    assert.throws(() => decodeAkaNonce(Buffer.alloc(31).toString('base64')), bad);
    assert.throws(() => decodeAkaNonce('not base64!'), bad);
    assert.throws(() => encodeAkaNonce(Buffer.alloc(15), Buffer.alloc(16)), DigestError);
  });

  it('AKAv1-MD5: the password is RES (RFC 3310 §3.3)', () => {
    const password = akaPassword('AKAv1-MD5', keys.res, keys.ik, keys.ck);
    assert.equal(password.toString('hex'), 'a54211d5e3ba50bf');
    const ha1 = computeHa1('AKAv1-MD5', d.username, d.realm, password);
    assert.equal(ha1, d['AKAv1-MD5'].HA1);
    assert.equal(
      computeResponse({
        algorithm: 'AKAv1-MD5',
        ha1,
        nonce: d.nonce,
        method: d.method,
        uri: d.uri,
        qop: 'auth',
        nc: d.nc,
        cnonce: d.cnonce,
      }),
      d['AKAv1-MD5'].response,
    );
  });

  it('AKAv2-MD5: the password is base64(HMAC-MD5(RES ‖ IK ‖ CK, "http-digest-akav2-password")) (RFC 4169)', () => {
    const password = akaPassword('AKAv2-MD5', keys.res, keys.ik, keys.ck);
    assert.equal(password.toString(), d['AKAv2-MD5'].password_value);
    const ha1 = computeHa1('AKAv2-MD5', d.username, d.realm, password);
    assert.equal(
      computeResponse({
        algorithm: 'AKAv2-MD5',
        ha1,
        nonce: d.nonce,
        method: d.method,
        uri: d.uri,
        qop: 'auth',
        nc: d.nc,
        cnonce: d.cnonce,
      }),
      d['AKAv2-MD5'].response,
    );
  });

  it('auts is base64 of the 14 octets of AUTS (RFC 3310 §3.4)', () => {
    const auts = hex('4f2039392ddd4bb4316ed4a14688');
    assert.deepEqual(decodeAuts(encodeAuts(auts)), auts);
    const bad = (e: unknown) => e instanceof DigestError && e.code === 'BAD_PARAMETER';
    assert.throws(() => decodeAuts(Buffer.alloc(13).toString('base64')), bad);
    assert.throws(() => decodeAuts('*'), bad);
  });
});
