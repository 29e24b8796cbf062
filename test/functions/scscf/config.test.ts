import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, validateConfig } from '../../../src/config/load.ts';
import { registrationStoreConfig, scscfConfigSchema } from '../../../src/functions/scscf/config.ts';

describe('S-CSCF configuration', () => {
  it('{} is the demo S-CSCF', () => {
    const c = validateConfig(scscfConfigSchema, {});
    assert.equal(c.sip.host, 'scscf.ims.test');
    assert.equal(c.sip.port, 6060);
    assert.equal(c.diameter.originHost, 'scscf.ims.test');
    assert.equal(c.diameter.peers[0]?.host, 'hss.ims.test');
    assert.deepEqual(c.domains, ['ims.test']);
    assert.equal(c.serverName, 'sip:scscf.ims.test:6060');
    assert.equal(c.registrar.defaultAuthScheme, 'Unknown');
    assert.deepEqual(registrationStoreConfig(c), { backend: 'memory' });
  });

  it('sip.port moves the default listeners and the Server-Name with it; an explicit listen list stays', () => {
    const moved = validateConfig(scscfConfigSchema, { sip: { host: 'scscf.example.net', port: 16060 } });
    assert.deepEqual(
      moved.sip.listen.map((l) => `${l.protocol} ${l.host}:${l.port}`),
      ['udp 127.0.0.1:16060', 'tcp 127.0.0.1:16060'],
    );
    assert.equal(moved.serverName, 'sip:scscf.example.net:16060');
    const listed = validateConfig(scscfConfigSchema, {
      sip: { port: 16060, listen: [{ protocol: 'udp', host: '127.0.0.2', port: 7000 }] },
      serverName: 'sip:scscf1.ims.test:7000',
    });
    assert.deepEqual(
      listed.sip.listen.map((l) => l.port),
      [7000],
    );
    assert.equal(listed.serverName, 'sip:scscf1.ims.test:7000');
  });

  it('refuses unknown keys and inconsistent expiry limits, naming the key', () => {
    assert.throws(() => validateConfig(scscfConfigSchema, { registrr: {} }), ConfigError);
    assert.throws(
      () => validateConfig(scscfConfigSchema, { registrar: { minExpires: 100, maxExpires: 50 } }),
      /minExpires must not exceed maxExpires/,
    );
    assert.throws(
      () => validateConfig(scscfConfigSchema, { store: { backend: 'redis', url: 'http://x' } }),
      /store\.url/,
    );
  });

  it('a snapshot path and a Redis URL reach the store factory', () => {
    const memory = validateConfig(scscfConfigSchema, {
      store: { backend: 'memory', snapshotPath: '/tmp/r.json' },
    });
    assert.deepEqual(registrationStoreConfig(memory), { backend: 'memory', snapshotPath: '/tmp/r.json' });
    const redis = validateConfig(scscfConfigSchema, {
      store: { backend: 'redis', url: 'redis://127.0.0.1:6379/1' },
    });
    assert.deepEqual(registrationStoreConfig(redis), { backend: 'redis', url: 'redis://127.0.0.1:6379/1' });
  });
});
