import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AkaError } from '../../src/aka/errors.ts';
import { deriveOpc, Milenage } from '../../src/aka/milenage.ts';

interface TestSet {
  set: number;
  k: string;
  rand: string;
  sqn: string;
  amf: string;
  op: string;
  opc: string;
  f1: string;
  f1star: string;
  f2: string;
  f3: string;
  f4: string;
  f5: string;
  f5star: string;
}

const fixture = (name: string): TestSet[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');

function checkSet(t: TestSet): void {
  const m = Milenage.fromOp(hex(t.k), hex(t.op));
  const rand = hex(t.rand);
  const sqn = hex(t.sqn);
  const amf = hex(t.amf);
  assert.equal(m.opc.toString('hex'), t.opc, 'OPc');
  assert.equal(m.f1(rand, sqn, amf).toString('hex'), t.f1, 'f1');
  assert.equal(m.f1star(rand, sqn, amf).toString('hex'), t.f1star, 'f1*');
  const keys = m.f2345(rand);
  assert.equal(keys.res.toString('hex'), t.f2, 'f2');
  assert.equal(keys.ck.toString('hex'), t.f3, 'f3');
  assert.equal(keys.ik.toString('hex'), t.f4, 'f4');
  assert.equal(keys.ak.toString('hex'), t.f5, 'f5');
  assert.equal(m.f5star(rand).toString('hex'), t.f5star, 'f5*');
  // The same subscriber provisioned with OPc instead of OP, all functions in one call.
  const all = new Milenage(hex(t.k), hex(t.opc)).compute(rand, sqn, amf);
  assert.deepEqual(Object.fromEntries(Object.entries(all).map(([name, v]) => [name, v.toString('hex')])), {
    macA: t.f1,
    macS: t.f1star,
    res: t.f2,
    ck: t.f3,
    ik: t.f4,
    ak: t.f5,
    akStar: t.f5star,
  });
}

describe('MILENAGE (TS 35.206)', () => {
  describe('TS 35.207 implementors test data', () => {
    for (const t of fixture('milenage.json'))
      it(`test set ${t.set}: OPc, f1, f1*, f2, f3, f4, f5, f5*`, () => checkSet(t));
  });

  describe('TS 35.208 conformance test data', () => {
    const sets = fixture('milenage-ts35208.json');
    it('has the 20 test sets', () =>
      assert.deepEqual(
        sets.map((t) => t.set),
        [...Array(20).keys()].map((i) => i + 1),
      ));
    for (const t of sets) it(`test set ${t.set}: OPc, f1, f1*, f2, f3, f4, f5, f5*`, () => checkSet(t));
  });

  it('OPc = OP ⊕ E[OP]K', () => {
    assert.equal(
      deriveOpc(hex('465b5ce8b199b49faa5f0a2ee238a6bc'), hex('cdc202d5123e20f62b6d676ac72cb318')).toString(
        'hex',
      ),
      'cd63cb71954a9f4e48a5994e37a02baf',
    );
  });

  it('a Milenage instance gives the same answers when reused across RANDs', () => {
    const [a, b] = fixture('milenage-ts35208.json').filter((t) => t.set === 7 || t.set === 8);
    assert.ok(a && b);
    const m = new Milenage(hex(a.k), hex(a.opc));
    const first = m.f2345(hex(a.rand)).res.toString('hex');
    m.f2345(hex(b.rand));
    assert.equal(m.f2345(hex(a.rand)).res.toString('hex'), first);
    assert.equal(first, a.f2);
  });

  it('rejects parameters of the wrong length with AkaError BAD_LENGTH', () => {
    const m = new Milenage(Buffer.alloc(16), Buffer.alloc(16));
    const badLength = (fn: () => unknown) =>
      assert.throws(fn, (e) => e instanceof AkaError && e.code === 'BAD_LENGTH');
    badLength(() => new Milenage(Buffer.alloc(15), Buffer.alloc(16)));
    badLength(() => new Milenage(Buffer.alloc(16), Buffer.alloc(17)));
    badLength(() => Milenage.fromOp(Buffer.alloc(16), Buffer.alloc(8)));
    badLength(() => m.f2345(Buffer.alloc(15)));
    badLength(() => m.f1(Buffer.alloc(16), Buffer.alloc(5), Buffer.alloc(2)));
    badLength(() => m.f1star(Buffer.alloc(16), Buffer.alloc(6), Buffer.alloc(3)));
  });

  it('wants exactly one of OP and OPc', () => {
    const k = Buffer.alloc(16);
    const badInput = (e: unknown) => e instanceof AkaError && e.code === 'BAD_INPUT';
    assert.throws(() => Milenage.fromKeys({ k }), badInput);
    assert.throws(() => Milenage.fromKeys({ k, op: Buffer.alloc(16), opc: Buffer.alloc(16) }), badInput);
    assert.deepEqual(Milenage.fromKeys({ k, op: Buffer.alloc(16) }).opc, deriveOpc(k, Buffer.alloc(16)));
  });
});
