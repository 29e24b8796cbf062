/** The HSS configuration schema: defaults of ARCHITECTURE.md §2, and errors that name the key. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, validateConfig } from '../../../src/config/load.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';

describe('HSS configuration', () => {
  it('defaults: Diameter on 127.0.0.1:3868, SQLite ./data/hss.sqlite, API on 127.0.0.1:8080', () => {
    const c = validateConfig(hssConfigSchema, {});
    assert.deepEqual(c.diameter.listen, { address: '127.0.0.1', port: 3868 });
    assert.equal(c.diameter.originHost, 'hss.ims.test');
    // Only the demo CSCFs may connect: an unknown Origin-Host gets 3010 (RFC 6733 §5.3).
    assert.deepEqual(
      c.diameter.peers.map((p) => p.host),
      ['scscf.ims.test', 'icscf.ims.test'],
    );
    assert.equal(c.diameter.acceptUnknownPeers, false);
    assert.deepEqual(c.store, { backend: 'sqlite', path: './data/hss.sqlite' });
    assert.deepEqual(c.api, { enabled: true, listen: { address: '127.0.0.1', port: 8080 } });
    assert.deepEqual(c.auth, {
      akaAlgorithm: 'AKAv1-MD5',
      maxVectors: 5,
      sqn: { indBits: 5, delta: 2 ** 28 },
      digestAlgorithm: 'MD5',
      digestQop: 'auth',
    });
    assert.ok(Object.isFrozen(c.auth.sqn));
  });

  it('reads YAML with a PostgreSQL store and partial sections', () => {
    const c = parseConfig(
      hssConfigSchema,
      'store: { backend: pg, url: "postgres://ims:ims@db/ims" }\nauth: { akaAlgorithm: AKAv2-MD5 }\n',
    );
    assert.deepEqual(c.store, { backend: 'pg', url: 'postgres://ims:ims@db/ims' });
    assert.equal(c.auth.akaAlgorithm, 'AKAv2-MD5');
    assert.equal(c.auth.maxVectors, 5);
  });

  it('a bad value or an unknown key is a ConfigError naming the key', () => {
    const cases: [unknown, string][] = [
      [{ store: { backend: 'pg' } }, 'store.url'],
      [{ auth: { akaAlgorithm: 'MD5' } }, 'auth.akaAlgorithm'],
      [{ diameter: { listen: { port: 70000 } } }, 'diameter.listen.port'],
      [{ cx: { roaming: true } }, 'cx'],
    ];
    for (const [data, key] of cases)
      assert.throws(
        () => validateConfig(hssConfigSchema, data),
        (e: unknown) => e instanceof ConfigError && e.key === key,
        key,
      );
  });
});
