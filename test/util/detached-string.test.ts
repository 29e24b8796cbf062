import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { detachedString } from '../../src/util/detached-string.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Live heap growth (MB) while `keep` holds 40 substrings of distinct 1 MB strings. */
function heldMb(take: (s: string) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep: string[] = [];
  for (let i = 0; i < 40; i++) {
    const parent = `${i}:${'x'.repeat(1 << 20)}`;
    keep.push(take(parent.slice(10, 110)));
  }
  gc();
  const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  assert.equal(keep.length, 40);
  return grown;
}

describe('detachedString', () => {
  it('is equal to the string it copies, short or long, any characters', () => {
    for (const s of [
      '',
      'a',
      'sip:alice@ims.test',
      '<sip:b@x>;tag=1',
      'Ünïcödé ☎ 𝄞 caller',
      'x'.repeat(5000),
    ])
      assert.equal(detachedString(s), s);
  });

  it('a kept substring no longer keeps the whole string it was taken from', () => {
    // Plain substrings keep their 1 MB parents (about 40 MB); detached ones keep 100 bytes each.
    assert.ok(heldMb((s) => s) > 30);
    assert.ok(heldMb(detachedString) < 5);
  });
});
