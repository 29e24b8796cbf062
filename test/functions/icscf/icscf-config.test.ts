/** The I-CSCF configuration and start-up: defaults, refusals, status(), stop(). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, validateConfig } from '../../../src/config/load.ts';
import { icscfConfigSchema } from '../../../src/functions/icscf/config.ts';
import { startIcscf } from '../../../src/functions/icscf/index.ts';
import { silentLogger } from '../../../src/log/logger.ts';

describe('I-CSCF configuration', () => {
  it('{} is the demo topology', () => {
    const c = validateConfig(icscfConfigSchema, {});
    assert.equal(c.sip.host, 'icscf.ims.test');
    assert.equal(c.sip.port, 4060);
    assert.deepEqual(c.domains, ['ims.test']);
    assert.deepEqual(c.scscfs, [{ uri: 'sip:scscf.ims.test:6060', capabilities: [], weight: 1 }]);
    assert.equal(c.diameter.originHost, 'icscf.ims.test');
    assert.equal(c.diameter.peers[0]?.host, 'hss.ims.test');
    assert.equal(c.thig.enabled, false);
    assert.equal(c.scscfTimeoutMs, 4000);
  });

  it('refuses THIG (not implemented yet), non-SIP S-CSCF names, unknown keys, no S-CSCF', () => {
    assert.throws(
      () => validateConfig(icscfConfigSchema, { thig: { enabled: true } }),
      (e: unknown) =>
        e instanceof ConfigError && /not implemented yet/.test(e.message) && e.key === 'thig.enabled',
    );
    assert.throws(
      () => validateConfig(icscfConfigSchema, { scscfs: [{ uri: 'tel:+1555' }] }),
      /sip: or sips:/,
    );
    assert.throws(() => validateConfig(icscfConfigSchema, { scscf: [] }), ConfigError);
    assert.throws(() => validateConfig(icscfConfigSchema, { scscfs: [] }), /at least one S-CSCF/);
  });

  it('status(): SIP listeners, the Diameter peer, unhealthy while no HSS answers; stop() is idempotent', async () => {
    const config = validateConfig(icscfConfigSchema, {
      sip: { listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] },
      // Nothing listens on port 9 of loopback: the peer never opens.
      diameter: { listen: { port: 0 }, peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: 9 }] },
    });
    const icscf = await startIcscf(config, silentLogger);
    try {
      assert.equal(icscf.name, 'icscf');
      assert.ok(icscf.port > 0);
      const status = await icscf.status();
      assert.equal(status.healthy, false);
      assert.deepEqual(status.sip, [{ protocol: 'udp', host: '127.0.0.1', port: icscf.port }]);
      assert.equal(status.diameterPeers?.[0]?.host, 'hss.ims.test');
      assert.equal(icscf.sipLayers?.length, 1);
    } finally {
      await icscf.stop();
      await icscf.stop();
    }
  });
});
