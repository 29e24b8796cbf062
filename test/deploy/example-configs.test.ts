import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadHssConfig } from '../../src/functions/hss/config.ts';
import { loadIcscfConfig } from '../../src/functions/icscf/config.ts';
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
});
