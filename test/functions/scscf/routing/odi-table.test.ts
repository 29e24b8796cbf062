/** The original dialog identifier table: unguessable tokens, TTL, bound. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OriginalDialogTable } from '../../../../src/functions/scscf/routing/odi-table.ts';
import { SessionCase } from '../../../../src/ims/ifc/model.ts';

const state = (n: number) => ({
  sessionCase: SessionCase.ORIGINATING_SESSION,
  servedUser: `sip:u${n}@ims.test`,
  registered: true,
  lastPriority: n,
});

describe('OriginalDialogTable', () => {
  it('tokens are random and give their state back until the TTL', () => {
    let now = 1000;
    const t = new OriginalDialogTable(100, 500, () => now);
    const a = t.add(state(1));
    const b = t.add(state(2));
    assert.notEqual(a, b);
    assert.match(a, /^odi-[A-Za-z0-9_-]{22}$/);
    assert.equal(t.get(a)?.lastPriority, 1);
    assert.equal(t.get('odi-guess'), undefined);
    now += 500;
    assert.equal(t.get(a), undefined);
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const t = new OriginalDialogTable(16, 60_000);
    const tokens = Array.from({ length: 40 }, (_, i) => t.add(state(i)));
    assert.equal(t.size, 16);
    assert.equal(t.get(tokens[0]!), undefined);
    assert.equal(t.get(tokens[39]!)?.lastPriority, 39);
  });
});
