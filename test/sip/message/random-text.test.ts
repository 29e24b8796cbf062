import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBuffer, randomText } from '../../../src/sip/message/random-text.ts';

describe('pooled random bytes', () => {
  it('text of the asked size in each encoding, never the same twice across pool refills', () => {
    const seen = new Set<string>();
    // 6 KiB pool: 2,000 draws of 16 bytes cross several refills.
    for (let i = 0; i < 2000; i++) {
      const hex = randomText(16, 'hex');
      assert.match(hex, /^[0-9a-f]{32}$/);
      assert.ok(!seen.has(hex));
      seen.add(hex);
    }
    assert.match(randomText(12, 'base64url'), /^[A-Za-z0-9_-]{16}$/);
    assert.match(randomText(24, 'base64'), /^[A-Za-z0-9+/]{32}$/);
  });

  it('randomBuffer returns bytes of its own, of any size', () => {
    const a = randomBuffer(8);
    const b = randomBuffer(8);
    assert.equal(a.length, 8);
    assert.notDeepEqual(a, b);
    a.fill(0);
    assert.notDeepEqual(randomBuffer(8), a);
    assert.equal(randomBuffer(100).length, 100);
  });

  it('randomText refuses more than 64 bytes at a time', () => {
    assert.throws(() => randomText(65, 'hex'), RangeError);
  });
});
