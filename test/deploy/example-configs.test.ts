import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDeployment } from '../../src/cli/deployment.ts';
import { loadHssConfig } from '../../src/functions/hss/config.ts';
import { loadIcscfConfig } from '../../src/functions/icscf/config.ts';
import { loadPcscfConfig } from '../../src/functions/pcscf/config.ts';
import { loadScscfConfig } from '../../src/functions/scscf/config.ts';
import { loadSlfConfig } from '../../src/functions/slf/config.ts';

const file = (name: string) => new URL(`../../deploy/${name}`, import.meta.url).pathname;

describe('example configurations in deploy/ stay valid', () => {
  it('hss.yaml', () => {
    const c = loadHssConfig(file('hss.yaml'));
    assert.equal(c.diameter.listen.port, 3868);
    assert.equal(c.api.listen.port, 8080);
  });
  it('slf.yaml', () => {
    const c = loadSlfConfig(file('slf.yaml'));
    assert.equal(c.diameter.listen.port, 3869);
    assert.equal(c.routes.length, 3);
  });
  it('icscf.yaml', () => {
    const c = loadIcscfConfig(file('icscf.yaml'));
    assert.equal(c.sip.port, 4060);
    assert.equal(c.scscfs[0]?.uri, 'sip:scscf.ims.test:6060');
    assert.equal(c.thig.enabled, false);
  });
  it('scscf.yaml', () => {
    const c = loadScscfConfig(file('scscf.yaml'));
    assert.equal(c.sip.port, 6060);
    assert.equal(c.serverName, 'sip:scscf.ims.test:6060');
    assert.equal(c.diameter.peers[0]?.port, 3868);
    assert.equal(c.store.backend, 'memory');
    assert.equal(c.registrar.minExpires, 60);
  });
  it('pcscf.yaml', () => {
    const c = loadPcscfConfig(file('pcscf.yaml'));
    assert.deepEqual(
      c.sip.listen.map((l) => `${l.protocol}:${l.port}`),
      ['udp:5060', 'tcp:5060', 'tls:5061', 'ws:5066', 'wss:7443'],
    );
    assert.equal(c.icscf, 'sip:icscf.ims.test:4060');
  });
  it('ims.yaml: every section valid for its function, data paths defaulted under data', async () => {
    const d = await loadDeployment(file('ims.yaml'), '/tmp/ims-example-data');
    assert.equal(d.domain, 'ims.test');
    assert.equal(d.logLevel, 'info');
    const names = d.functions.map((f) => f.name);
    assert.equal(names[0], 'hss', 'the HSS starts first');
    assert.ok(!names.includes('slf'));
    const hss = d.functions[0]!;
    assert.equal(hss.http.port, 9184);
    assert.deepEqual(hss.data.store, { backend: 'sqlite', path: '/tmp/ims-example-data/hss.sqlite' });
    const scscf = d.functions.find((f) => f.name === 'scscf');
    if (scscf)
      assert.deepEqual(scscf.data.store, {
        backend: 'memory',
        snapshotPath: '/tmp/ims-example-data/scscf-registrations.json',
      });
  });
});
