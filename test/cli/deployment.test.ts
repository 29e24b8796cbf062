import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadDeployment } from '../../src/cli/deployment.ts';
import { formatLogLine } from '../../src/cli/log-format.ts';
import type { ConfigError } from '../../src/config/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-deployment-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function yaml(text: string): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('ims.yaml', () => {
  it('no file: the demo, HSS first, data paths under --data, default HTTP ports', async () => {
    const d = await loadDeployment(undefined, join(dir, 'data'));
    assert.equal(d.domain, 'ims.test');
    assert.equal(d.functions[0]?.name, 'hss');
    assert.deepEqual(d.functions[0]?.http, { address: '127.0.0.1', port: 9184 });
    assert.deepEqual(d.functions[0]?.data, {
      store: { backend: 'sqlite', path: join(dir, 'data', 'hss.sqlite') },
      diameter: { peers: [{ host: 'scscf.ims.test' }, { host: 'icscf.ims.test' }] },
    });
  });
  it('the HSS accepts the Diameter clients of the deployment, under their names, unless it lists its peers', async () => {
    const peersOf = async (text: string) => {
      const d = await loadDeployment(yaml(`data: ${dir}/d3\n${text}`), undefined);
      const hss = d.functions.find((f) => f.name === 'hss')!.config as {
        diameter: { peers: { host: string }[] };
      };
      return hss.diameter.peers.map((p) => p.host);
    };
    assert.deepEqual(await peersOf('scscf:\n  diameter: { originHost: scscf-a.example.net }\n'), [
      'scscf-a.example.net',
      'icscf.ims.test',
    ]);
    assert.deepEqual(await peersOf('hss:\n  diameter: { peers: [{ host: as.example.net }] }\n'), [
      'as.example.net',
    ]);
  });
  it('a key of a section overrides its default, enabled: false skips, http per function', async () => {
    const d = await loadDeployment(
      yaml(
        `data: ${dir}/d2\nhss:\n  http: { port: 0 }\n  store: { backend: sqlite, path: /tmp/x.sqlite }\nscscf: { enabled: false }\n`,
      ),
      undefined,
    );
    assert.equal(d.dataDir, join(dir, 'd2'));
    assert.ok(!d.functions.some((f) => f.name === 'scscf'));
    // Only the I-CSCF is left to connect to the HSS.
    assert.deepEqual(d.functions[0]?.data, {
      store: { backend: 'sqlite', path: '/tmp/x.sqlite' },
      diameter: { peers: [{ host: 'icscf.ims.test' }] },
    });
    assert.equal(d.functions[0]?.http.port, 0);
  });
  for (const [text, key] of [
    ['hss:\n  frobnicate: 1\n', 'hss'],
    ['hss:\n  auth: { maxVectors: 0 }\n', 'hss.auth.maxVectors'],
    ['hss:\n  http: { port: x }\n', 'hss.http.port'],
    ['colour: blue\n', ''],
  ] as const) {
    it(`an error names the key from the top of the file (${key || 'top level'})`, async () => {
      await assert.rejects(loadDeployment(yaml(text), dir), (err: ConfigError) => {
        assert.equal(err.key, key);
        assert.match(err.message, key ? new RegExp(`key '${key.replaceAll('.', '\\.')}'`) : /top level/);
        return true;
      });
    });
  }
});

describe('combined log line', () => {
  it('time, function, level, message, then the fields', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5, 67).toISOString();
    const line = formatLogLine(
      'scscf',
      JSON.stringify({
        level: 40,
        time,
        fn: 'scscf',
        msg: 'peer closed',
        peer: 'hss.ims.test',
        reason: 'DPA received',
        n: 2,
      }),
    );
    assert.equal(line, '03:04:05.067 scscf WARN  peer closed peer=hss.ims.test reason="DPA received" n=2');
    assert.match(formatLogLine('hss', 'not json'), /^\d\d:\d\d:\d\d\.\d{3} hss {3}not json$/);
  });
});
