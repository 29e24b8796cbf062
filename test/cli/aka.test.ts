import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const ims = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const [set1] = JSON.parse(readFileSync(new URL('../fixtures/milenage.json', import.meta.url), 'utf8'));
const inputs = ['--k', set1.k, '--rand', set1.rand, '--sqn', set1.sqn, '--amf', set1.amf];

function oneLineError(r: ReturnType<typeof ims>, status: number, pattern: RegExp): void {
  assert.equal(r.status, status);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('ims aka vector', () => {
  it('prints the TS 35.207 test set 1 outputs as JSON with lowercase hex fields', () => {
    const expected = {
      opc: set1.opc,
      mac_a: set1.f1,
      mac_s: set1.f1star,
      res: set1.f2,
      ck: set1.f3,
      ik: set1.f4,
      ak: set1.f5,
      ak_star: set1.f5star,
      // AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A
      autn: '55f328b43577b9b94a9ffac354dfafb3',
    };
    const withOp = ims('aka', 'vector', ...inputs, '--op', set1.op);
    assert.equal(withOp.status, 0, withOp.stderr);
    assert.deepEqual(JSON.parse(withOp.stdout), expected);
    const withOpc = ims('aka', 'vector', ...inputs, '--opc', set1.opc.toUpperCase());
    assert.equal(withOpc.status, 0, withOpc.stderr);
    assert.deepEqual(JSON.parse(withOpc.stdout), expected);
  });

  it('bad hex is a usage error with a one-line message naming the option', () => {
    oneLineError(
      ims('aka', 'vector', ...inputs, '--op', `${set1.op.slice(0, 31)}g`),
      2,
      /--op: .*not hexadecimal/,
    );
  });

  it('a wrong length is a usage error saying how many digits are expected', () => {
    const r = ims(
      'aka',
      'vector',
      '--k',
      set1.k,
      '--rand',
      set1.rand,
      '--sqn',
      'ff9bb4d0b6',
      '--amf',
      set1.amf,
      '--op',
      set1.op,
    );
    oneLineError(r, 2, /--sqn: expected 12 hex digits/);
  });

  it('wants exactly one of --op and --opc, and every other input', () => {
    oneLineError(ims('aka', 'vector', ...inputs), 2, /exactly one of --op and --opc/);
    oneLineError(
      ims('aka', 'vector', ...inputs, '--op', set1.op, '--opc', set1.opc),
      2,
      /exactly one of --op and --opc/,
    );
    oneLineError(ims('aka', 'vector', '--k', set1.k, '--op', set1.op), 2, /--rand HEX is required/);
    oneLineError(ims('aka', 'vector', ...inputs, '--op', set1.op, '--bogus'), 2, /bogus/);
    oneLineError(ims('aka', 'frobnicate'), 2, /unknown subcommand/);
  });
});
