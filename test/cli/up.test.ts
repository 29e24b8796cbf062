import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'ims-up-'));

/** Starts `ims up`, waits for its start-up summary, returns it with the child. */
function up(): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ims up did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C stops.')) {
        clearTimeout(timer);
        resolve({ child, out });
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ims up exited with ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`));
    child.kill('SIGINT');
  });
}

describe('ims up', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the HSS with demo subscribers on first start, keeps them later, stops on Ctrl-C', async () => {
    const first = await up();
    assert.match(first.out, /hss +Diameter Cx\/Sh 127\.0\.0\.1:3868/);
    const password = /sip:alice@ims\.test .* password (\S+)/.exec(first.out)?.[1];
    assert.ok(password, first.out);
    assert.match(first.out, /pcscf .*not implemented yet/);
    const res = await fetch('http://127.0.0.1:8080/api/v1/subscribers');
    assert.equal(res.status, 200);
    const list = (await res.json()) as { total: number };
    assert.equal(list.total, 4);
    assert.equal(await stop(first.child), 0);

    const second = await up();
    assert.ok(second.out.includes(`password ${password}`), 'the same subscribers after a restart');
    assert.equal(await stop(second.child), 0);
  });
});
