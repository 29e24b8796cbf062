import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deadlines } from '../../src/util/deadlines.ts';

/** Node's mock timers show the end time to every timer of one tick(): advance in small steps. */
function advance(t: { mock: { timers: { tick(ms: number): void } } }, ms: number): void {
  for (let left = ms; left > 0; left -= Math.min(100, left)) t.mock.timers.tick(Math.min(100, left));
}

describe('Deadlines (one timer for many keys, fake time)', () => {
  it('calls onDue once per key when its deadline passes, in time order, not before', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const due: string[] = [];
    const d = new Deadlines<string>((k) => due.push(`${k}@${Date.now()}`));
    d.set('b', 2000);
    d.set('a', 1000);
    d.set('c', 3000);
    assert.equal(d.size, 3);
    advance(t, 999);
    assert.deepEqual(due, []);
    advance(t, 1);
    assert.deepEqual(due, ['a@1000']);
    advance(t, 2000);
    assert.deepEqual(due, ['a@1000', 'b@2000', 'c@3000']);
    assert.equal(d.size, 0);
  });

  it('a moved deadline fires at its new time; a deleted or cleared one never', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const due: string[] = [];
    const d = new Deadlines<string>((k) => due.push(k));
    d.set('later', 1000);
    d.set('later', 5000); // moved later: the 1 s timer finds nothing due
    d.set('sooner', 3000);
    d.set('sooner', 500); // moved earlier than the armed timer
    d.set('gone', 700);
    d.delete('gone');
    assert.equal(d.at('later'), 5000);
    advance(t, 1000);
    assert.deepEqual(due, ['sooner']);
    advance(t, 4000);
    assert.deepEqual(due, ['sooner', 'later']);
    d.set('x', 6000);
    d.clear();
    advance(t, 10_000);
    assert.deepEqual(due, ['sooner', 'later']);
  });

  it('onDue may set the key again (a periodic deadline) and may delete other due keys', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const due: string[] = [];
    const victims = Array.from({ length: 20 }, (_, i) => `victim${i}`);
    const d: Deadlines<string> = new Deadlines<string>((k) => {
      due.push(k === 'tick' ? `tick@${Date.now()}` : k);
      if (k === 'tick' && Date.now() < 3000) d.set('tick', Date.now() + 1000);
      if (k === 'killer') for (const v of victims) d.delete(v);
    });
    d.set('tick', 1000);
    for (const v of victims) d.set(v, 1000);
    d.set('killer', 1000);
    advance(t, 5000);
    // Victims that came after the killer in the same sweep were deleted: not called.
    const killer = due.indexOf('killer');
    assert.ok(killer >= 0);
    assert.deepEqual(
      due.slice(killer + 1).filter((k) => k.startsWith('victim')),
      [],
    );
    assert.deepEqual(
      due.filter((x) => x.startsWith('tick')),
      ['tick@1000', 'tick@2000', 'tick@3000'],
    );
    assert.equal(d.size, 0);
  });

  it('a deadline beyond what setTimeout takes (24.8 days) still fires at its time', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const due: number[] = [];
    const d = new Deadlines<string>(() => due.push(Date.now()));
    const far = 40 * 24 * 3600 * 1000;
    d.set('far', far);
    t.mock.timers.tick(2 ** 31 - 1);
    assert.deepEqual(due, []);
    t.mock.timers.tick(far - (2 ** 31 - 1));
    assert.deepEqual(due, [far]);
  });
});
