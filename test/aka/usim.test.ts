import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AkaError } from '../../src/aka/errors.ts';
import { Milenage } from '../../src/aka/milenage.ts';
import { SqnScheme } from '../../src/aka/sqn.ts';
import { Usim } from '../../src/aka/usim.ts';
import { generateAuthenticationVector, verifyAuts } from '../../src/aka/vectors.ts';

const k = Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex');
const op = Buffer.from('cdc202d5123e20f62b6d676ac72cb318', 'hex');
const amf = Buffer.from('8000', 'hex');
const scheme = new SqnScheme();
const he = Milenage.fromOp(k, op);

describe('USIM (TS 33.102 §6.3.3)', () => {
  it('answers a good AUTN with RES = XRES, CK and IK, and remembers the SQN', () => {
    const usim = new Usim({ k, op });
    const v = generateAuthenticationVector(he, { sqn: scheme.next(0), amf });
    const r = usim.authenticate(v.rand, v.autn);
    assert.equal(r.outcome, 'authenticated');
    assert.ok(r.outcome === 'authenticated');
    assert.deepEqual([r.res, r.ck, r.ik], [v.xres, v.ck, v.ik]);
    assert.equal(r.sqn, v.sqn);
    assert.equal(scheme.highestAccepted(usim.sqnState), v.sqn);
  });

  it('answers a replayed AUTN with AUTS carrying SQN_MS, which the HE verifies', () => {
    const usim = new Usim({ k, opc: he.opc });
    const v = generateAuthenticationVector(he, { sqn: scheme.next(0), amf });
    assert.equal(usim.authenticate(v.rand, v.autn).outcome, 'authenticated');
    const replay = usim.authenticate(v.rand, v.autn);
    assert.ok(replay.outcome === 'sync-failure');
    assert.equal(replay.reason, 'NOT_FRESH');
    assert.equal(verifyAuts(he, v.rand, replay.auts), v.sqn);
  });

  it('throws MAC_FAILURE for an AUTN made with another K, and keeps its state', () => {
    const usim = new Usim({ k, op });
    const stranger = Milenage.fromOp(Buffer.alloc(16, 3), op);
    const v = generateAuthenticationVector(stranger, { sqn: scheme.next(0), amf });
    assert.throws(
      () => usim.authenticate(v.rand, v.autn),
      (e) => e instanceof AkaError && e.code === 'MAC_FAILURE',
    );
    assert.equal(scheme.highestAccepted(usim.sqnState), 0);
  });

  it('starts from a stored state', () => {
    const ahead = new Usim({ k, op, state: { seqMs: [...new Array<number>(31).fill(400), 500] } });
    const v = generateAuthenticationVector(he, { sqn: scheme.next(0), amf });
    const r = ahead.authenticate(v.rand, v.autn);
    assert.ok(r.outcome === 'sync-failure');
    assert.equal(r.sqnMs, scheme.sqn(500, 31));
  });
});
