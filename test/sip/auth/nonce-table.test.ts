import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NONCE_COUNT_WINDOW, NonceTable } from '../../../src/sip/auth/nonce-table.ts';

function table(options: { maxEntries?: number } = {}) {
  const clock = { now: 1_000_000 };
  const nonces = new NonceTable<string>({
    lifetimeMs: 1000,
    retainMs: 500,
    maxEntries: options.maxEntries ?? 100,
    now: () => clock.now,
  });
  return { clock, nonces };
}

describe('NonceTable', () => {
  it('expires a nonce after its lifetime and forgets it after the retention time', () => {
    const { clock, nonces } = table();
    nonces.add('n1', 'alice');
    assert.deepEqual(nonces.lookup('n1'), { data: 'alice', expired: false });
    clock.now += 999;
    assert.equal(nonces.lookup('n1')?.expired, false);
    clock.now += 1;
    assert.equal(nonces.lookup('n1')?.expired, true);
    clock.now += 499;
    assert.equal(nonces.lookup('n1')?.expired, true);
    clock.now += 1;
    assert.equal(nonces.lookup('n1'), undefined);
    assert.equal(nonces.size, 0);
  });

  it('accepts each nonce-count once', () => {
    const { nonces } = table();
    nonces.add('n', 'x');
    assert.equal(nonces.acceptNonceCount('n', 1), true);
    assert.equal(nonces.acceptNonceCount('n', 1), false);
    assert.equal(nonces.acceptNonceCount('n', 2), true);
    assert.equal(nonces.acceptNonceCount('n', 0), false);
    assert.equal(nonces.acceptNonceCount('unknown', 1), false);
  });

  it('accepts counts out of order within the window, not below it', () => {
    const { nonces } = table();
    nonces.add('n', 'x');
    assert.equal(nonces.acceptNonceCount('n', 5), true);
    assert.equal(nonces.acceptNonceCount('n', 3), true);
    assert.equal(nonces.acceptNonceCount('n', 3), false);
    assert.equal(nonces.acceptNonceCount('n', 4), true);
    assert.equal(nonces.acceptNonceCount('n', 5), false);
    const top = 5 + NONCE_COUNT_WINDOW + 10;
    assert.equal(nonces.acceptNonceCount('n', top), true);
    assert.equal(nonces.acceptNonceCount('n', top - NONCE_COUNT_WINDOW + 1), true);
    assert.equal(nonces.acceptNonceCount('n', top - NONCE_COUNT_WINDOW), false);
    assert.equal(nonces.acceptNonceCount('n', top - 1), true);
    assert.equal(nonces.acceptNonceCount('n', top - NONCE_COUNT_WINDOW + 1), false);
  });

  it('forgets the oldest nonces past its bound', () => {
    const { nonces } = table({ maxEntries: 3 });
    for (const n of ['a', 'b', 'c', 'd']) nonces.add(n, n);
    assert.equal(nonces.size, 3);
    assert.equal(nonces.lookup('a'), undefined);
    assert.equal(nonces.lookup('d')?.data, 'd');
  });
});
