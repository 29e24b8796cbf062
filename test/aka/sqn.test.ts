import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AkaError } from '../../src/aka/errors.ts';
import { SqnScheme, type UsimSqnState } from '../../src/aka/sqn.ts';

const scheme = new SqnScheme();

/** Feeds SQNs to a USIM state in order; returns what it said and the final state. */
function feed(state: UsimSqnState, sqns: number[]): { verdicts: string[]; state: UsimSqnState } {
  const verdicts: string[] = [];
  for (const sqn of sqns) {
    const check = scheme.check(state, sqn);
    if (check.fresh) state = check.state;
    verdicts.push(check.fresh ? 'fresh' : check.reason);
  }
  return { verdicts, state };
}

describe('SQN = SEQ ‖ IND (TS 33.102 Annex C)', () => {
  it('defaults to the Annex C.3 profile: 5-bit IND, Δ = 2^28, no age limit', () => {
    assert.equal(scheme.indBits, 5);
    assert.equal(scheme.delta, 2 ** 28);
    assert.equal(scheme.ageLimit, undefined);
    assert.equal(scheme.seq(0x21), 1);
    assert.equal(scheme.ind(0x21), 1);
    assert.equal(scheme.sqn(1, 1), 0x21);
  });

  describe('HE: generation (Annex C.1)', () => {
    it('increments SEQ and cycles IND for each vector', () => {
      let sqn = 0;
      const issued: number[] = [];
      for (let i = 0; i < 34; i++) issued.push((sqn = scheme.next(sqn)));
      assert.deepEqual(issued.slice(0, 3), [0x21, 0x42, 0x63]);
      assert.deepEqual(
        issued.map((s) => scheme.seq(s)),
        [...Array(34).keys()].map((i) => i + 1),
      );
      assert.deepEqual(issued.map((s) => scheme.ind(s)).slice(29), [30, 31, 0, 1, 2]);
    });

    it('refuses to go past the last SEQ, and values outside 48 bits', () => {
      const last = scheme.sqn(2 ** 43 - 1, 3);
      assert.throws(
        () => scheme.next(last),
        (e) => e instanceof AkaError && e.code === 'SQN_OUT_OF_RANGE',
      );
      assert.throws(
        () => scheme.next(2 ** 48),
        (e) => e instanceof AkaError && e.code === 'SQN_OUT_OF_RANGE',
      );
      assert.throws(
        () => scheme.next(-1),
        (e) => e instanceof AkaError && e.code === 'SQN_OUT_OF_RANGE',
      );
    });
  });

  describe('USIM: verification (Annex C.2)', () => {
    it('accepts a new SQN and refuses it the second time (replay)', () => {
      const { verdicts } = feed(scheme.initialUsimState(), [0x21, 0x21]);
      assert.deepEqual(verdicts, ['fresh', 'NOT_FRESH']);
    });

    it('accepts 32 vectors used in any order: each IND slot is tracked apart', () => {
      const issued: number[] = [];
      let sqn = 0;
      for (let i = 0; i < 32; i++) issued.push((sqn = scheme.next(sqn)));
      const { verdicts, state } = feed(scheme.initialUsimState(), [...issued].reverse());
      assert.deepEqual(new Set(verdicts), new Set(['fresh']));
      assert.equal(scheme.highestAccepted(state), issued[31]);
      // The 33rd vector shares its IND with the 1st: it is newer, so still fresh.
      assert.deepEqual(feed(state, [scheme.next(sqn)]).verdicts, ['fresh']);
    });

    it('refuses an older SQN in a slot where a newer one was used', () => {
      const older = scheme.sqn(5, 3);
      const newer = scheme.sqn(37, 3);
      assert.deepEqual(feed(scheme.initialUsimState(), [newer, older]).verdicts, ['fresh', 'NOT_FRESH']);
    });

    it('refuses SEQ more than Δ ahead of the highest accepted (wrap-around protection)', () => {
      const small = new SqnScheme({ delta: 100 });
      const start = small.check(small.initialUsimState(), small.sqn(10, 0));
      assert.ok(start.fresh);
      assert.deepEqual(small.check(start.state, small.sqn(111, 1)), {
        fresh: false,
        reason: 'TOO_FAR_AHEAD',
      });
      assert.equal(small.check(start.state, small.sqn(110, 1)).fresh, true);
    });

    it('refuses SEQ older than the age limit L when one is set', () => {
      const aged = new SqnScheme({ ageLimit: 10 });
      const start = aged.check(aged.initialUsimState(), aged.sqn(50, 0));
      assert.ok(start.fresh);
      assert.deepEqual(aged.check(start.state, aged.sqn(40, 1)), { fresh: false, reason: 'TOO_OLD' });
      assert.equal(aged.check(start.state, aged.sqn(41, 1)).fresh, true);
      assert.equal(scheme.check(start.state, scheme.sqn(1, 1)).fresh, true, 'no age limit by default');
    });

    it('does not change the state it is given', () => {
      const state = scheme.initialUsimState();
      scheme.check(state, 0x21);
      assert.equal(scheme.highestAccepted(state), 0);
    });

    it('reports SQN_MS as the highest accepted SEQ with its IND', () => {
      const { state } = feed(scheme.initialUsimState(), [
        scheme.sqn(7, 4),
        scheme.sqn(9, 2),
        scheme.sqn(8, 30),
      ]);
      assert.equal(scheme.highestAccepted(state), scheme.sqn(9, 2));
    });
  });

  describe('HE: resynchronisation (§6.3.5)', () => {
    it('continues from SQN_MS when the HE is behind the USIM', () => {
      const sqnMs = scheme.sqn(1000, 7);
      assert.equal(scheme.afterResync(scheme.sqn(10, 2), sqnMs), sqnMs);
      assert.equal(scheme.seq(scheme.next(sqnMs)), 1001);
    });

    it('keeps SQN_HE when its next SQN would be accepted (e.g. an old vector was replayed)', () => {
      const sqnHe = scheme.sqn(1000, 7);
      assert.equal(scheme.afterResync(sqnHe, scheme.sqn(900, 3)), sqnHe);
    });

    it('continues from SQN_MS when the HE is more than Δ ahead', () => {
      const small = new SqnScheme({ delta: 100 });
      const sqnMs = small.sqn(10, 1);
      assert.equal(small.afterResync(small.sqn(500, 0), sqnMs), sqnMs);
    });
  });
});
