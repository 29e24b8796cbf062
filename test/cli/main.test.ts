import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const ims = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('ims command', () => {
  it('up says plainly which functions exist', () => {
    const r = ims('up');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /hss .*not implemented yet/);
  });
  it('run of a function not implemented yet fails with a one-line error', () => {
    const r = ims('run', 'hss');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /not implemented yet/);
  });
  it('unknown command and bad option exit 2', () => {
    assert.equal(ims('frobnicate').status, 2);
    assert.equal(ims('up', '--bogus').status, 2);
  });
});
