import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const ims = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('ims command', () => {
  it('help lists the commands of ARCHITECTURE.md §7', () => {
    const r = ims('help');
    assert.equal(r.status, 0);
    for (const c of ['up', 'run', 'status', 'subscriber', 'aka vector'])
      assert.match(r.stdout, new RegExp(`\\n  ${c}`));
  });
  it('run of a function not implemented yet fails with a one-line error', () => {
    const r = ims('run', 'cdf');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /not implemented yet/);
  });
  it('unknown command and bad option exit 2', () => {
    assert.equal(ims('frobnicate').status, 2);
    assert.equal(ims('up', '--bogus').status, 2);
    assert.equal(ims('status', '--bogus').status, 2);
  });
});
