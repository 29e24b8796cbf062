import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sqnFromBytes } from '../../src/aka/bytes.ts';
import { AkaError } from '../../src/aka/errors.ts';
import { Milenage } from '../../src/aka/milenage.ts';
import { computeAuts, generateAuthenticationVector, openAutn, verifyAuts } from '../../src/aka/vectors.ts';

const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');
const sets: {
  set: number;
  k: string;
  opc: string;
  rand: string;
  sqn: string;
  amf: string;
  f1: string;
  f2: string;
  f3: string;
  f4: string;
  f5: string;
}[] = read('milenage-ts35208.json');
const autsVectors: { source: string; k: string; opc: string; rand: string; auts: string; sqn_ms: string }[] =
  read('milenage-auts.json');

describe('authentication vectors (TS 33.102 §6.3.2)', () => {
  for (const t of sets) {
    it(`test set ${t.set}: AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A, XRES, CK, IK`, () => {
      const m = new Milenage(hex(t.k), hex(t.opc));
      const v = generateAuthenticationVector(m, {
        sqn: sqnFromBytes(hex(t.sqn)),
        amf: hex(t.amf),
        rand: hex(t.rand),
      });
      const concealed = Buffer.from(hex(t.sqn).map((b, i) => b ^ (hex(t.f5)[i] ?? 0)));
      assert.equal(v.autn.toString('hex'), `${concealed.toString('hex')}${t.amf}${t.f1}`);
      assert.equal(v.xres.toString('hex'), t.f2);
      assert.equal(v.ck.toString('hex'), t.f3);
      assert.equal(v.ik.toString('hex'), t.f4);
      assert.equal(v.rand.toString('hex'), t.rand);
    });
  }

  it('matches AUTN values published for test sets 1 and 19', () => {
    const autn = (n: number) => {
      const t = sets[n - 1]!;
      return generateAuthenticationVector(new Milenage(hex(t.k), hex(t.opc)), {
        sqn: sqnFromBytes(hex(t.sqn)),
        amf: hex(t.amf),
        rand: hex(t.rand),
      }).autn.toString('hex');
    };
    assert.equal(autn(1), '55f328b43577b9b94a9ffac354dfafb3');
    assert.equal(autn(19), 'bb52e91c747ac3ab2a5c23d15ee351d5');
  });

  it('draws a fresh 16-octet RAND when none is given', () => {
    const m = new Milenage(Buffer.alloc(16, 1), Buffer.alloc(16, 2));
    const a = generateAuthenticationVector(m, { sqn: 33, amf: hex('8000') });
    const b = generateAuthenticationVector(m, { sqn: 33, amf: hex('8000') });
    assert.equal(a.rand.length, 16);
    assert.notDeepEqual(a.rand, b.rand);
    assert.notDeepEqual(a.xres, b.xres);
  });
});

describe('USIM reading AUTN (TS 33.102 §6.3.3)', () => {
  const t = sets[6]!;
  const m = new Milenage(hex(t.k), hex(t.opc));
  const v = generateAuthenticationVector(m, {
    sqn: sqnFromBytes(hex(t.sqn)),
    amf: hex(t.amf),
    rand: hex(t.rand),
  });

  it('recovers SQN and AMF and verifies MAC-A', () => {
    const opened = openAutn(m, v.rand, v.autn);
    assert.equal(opened.sqn, v.sqn);
    assert.equal(opened.amf.toString('hex'), t.amf);
    assert.equal(opened.macValid, true);
  });

  it('finds MAC-A invalid when any octet of AUTN changes, or with another K', () => {
    for (let i = 0; i < 16; i++) {
      const bad = Buffer.from(v.autn);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      assert.equal(openAutn(m, v.rand, bad).macValid, false, `octet ${i}`);
    }
    const otherK = new Milenage(Buffer.alloc(16, 7), hex(t.opc));
    assert.equal(openAutn(otherK, v.rand, v.autn).macValid, false);
  });
});

describe('resynchronisation: AUTS (TS 33.102 §6.3.3, §6.3.5)', () => {
  for (const t of sets) {
    it(`test set ${t.set}: AUTS = SQN_MS ⊕ AK* ‖ MAC-S round trip`, () => {
      const m = new Milenage(hex(t.k), hex(t.opc));
      const sqnMs = sqnFromBytes(hex(t.sqn));
      const auts = computeAuts(m, hex(t.rand), sqnMs);
      assert.equal(auts.length, 14);
      assert.equal(verifyAuts(m, hex(t.rand), auts), sqnMs);
    });
  }

  for (const a of autsVectors) {
    it(`verifies a published AUTS: ${a.source}`, () => {
      const m = new Milenage(hex(a.k), hex(a.opc));
      assert.equal(verifyAuts(m, hex(a.rand), hex(a.auts)), sqnFromBytes(hex(a.sqn_ms)));
      assert.equal(computeAuts(m, hex(a.rand), sqnFromBytes(hex(a.sqn_ms))).toString('hex'), a.auts);
    });
  }

  it('rejects an AUTS whose MAC-S does not verify, or from another K', () => {
    const a = autsVectors[0]!;
    const m = new Milenage(hex(a.k), hex(a.opc));
    const macFailure = (e: unknown) => e instanceof AkaError && e.code === 'MAC_FAILURE';
    for (const i of [0, 5, 6, 13]) {
      const bad = hex(a.auts);
      bad[i] = (bad[i] ?? 0) ^ 0x80;
      assert.throws(() => verifyAuts(m, hex(a.rand), bad), macFailure, `octet ${i}`);
    }
    assert.throws(
      () => verifyAuts(new Milenage(Buffer.alloc(16, 9), hex(a.opc)), hex(a.rand), hex(a.auts)),
      macFailure,
    );
    assert.throws(
      () => verifyAuts(m, hex(a.rand), Buffer.alloc(13)),
      (e) => e instanceof AkaError && e.code === 'BAD_LENGTH',
    );
  });
});
