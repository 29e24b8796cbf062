/** `ims run <function>`: the one path every function (and each child of `ims up`) starts by. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isFunctionAvailable } from '../../src/functions/host/availability.ts';
import { runIms } from '../functions/hss/helpers/ims-process.ts';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ims-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ims run', () => {
  it('with --http: /health and /metrics of the function, exit 0 on SIGTERM', async () => {
    const file = join(dir, 'hss.yaml');
    writeFileSync(
      file,
      [
        'diameter: { listen: { port: 0 } }',
        `store: { backend: sqlite, path: ${join(dir, 'hss.sqlite')} }`,
        'api: { enabled: false }',
      ].join('\n'),
    );
    const ims = runIms(['run', 'hss', '--config', file, '--http', '0']);
    try {
      const { http } = await ims.logged('hss running');
      const health = await fetch(`${http}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { name: string }).name, 'hss');
      assert.match(await (await fetch(`${http}/metrics`)).text(), /^ims_function_up\{function="hss"\} 1$/m);
      const exit = once(ims.child, 'exit');
      ims.child.kill('SIGTERM');
      assert.equal((await exit)[0], 0);
    } finally {
      ims.child.kill('SIGKILL');
    }
  });

  for (const [name, yaml, key] of [
    ['scscf', 'registrar:\n  minExpires: 0\n', 'registrar.minExpires'],
    ['icscf', 'scscfs: []\n', 'scscfs'],
    ['pcscf', 'sip:\n  port: 70000\n', 'sip.port'],
  ] as const) {
    it(`${name} with a bad configuration: exit 1, one line naming the key`, {
      skip: !isFunctionAvailable(name),
    }, () => {
      const file = join(dir, `${name}-bad.yaml`);
      writeFileSync(file, yaml);
      const r = spawnSync(process.execPath, [bin, 'run', name, '--config', file], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^ims run ${name}: .*${key.replace('.', '\\.')}`));
    });
  }

  it('a --log-level that is not a level: exit 2, one line naming the option', () => {
    const file = join(dir, 'hss-level.yaml');
    writeFileSync(file, '');
    const r = spawnSync(process.execPath, [bin, 'run', 'hss', '--config', file, '--log-level', 'bogus'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.match(
      r.stderr.trim(),
      /^ims run hss: --log-level must be one of trace, debug, info, warn, error, fatal, silent$/,
    );
  });

  it('a bad http section is named too', () => {
    const file = join(dir, 'http-bad.yaml');
    writeFileSync(file, 'http: { port: -1 }\n');
    const r = spawnSync(process.execPath, [bin, 'run', 'hss', '--config', file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /key 'http\.port'/);
  });
});
