/** The SLF's identity table and configuration, without sockets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, validateConfig } from '../../../src/config/load.ts';
import { RedirectHostUsage } from '../../../src/diameter/routing/redirect-cache.ts';
import { slfConfigSchema } from '../../../src/functions/slf/config.ts';
import { IdentityTable } from '../../../src/functions/slf/identity-table.ts';
import { identityTable, redirectPolicy, requestIdentities } from '../../../src/functions/slf/slf-redirect.ts';

describe('SLF identity table', () => {
  const table = new IdentityTable(
    [
      { regex: '^sip:.*@ims\\.test$', hss: 'regex' },
      { prefix: 'tel:+1', hss: 'short' },
      { prefix: 'tel:+1201', hss: 'long' },
      { exact: 'sip:Alice@IMS.test', hss: 'exact' },
      { exact: 'sip:alice@ims.test', hss: 'second' },
    ],
    'default',
  );

  it('exact (normal form, first row wins), then the longest prefix, then regular expressions in order', () => {
    assert.equal(table.lookup(['sip:Alice@ims.test']), 'exact');
    // The user part is case-sensitive (RFC 3261 §19.1.4): another identity, another row.
    assert.equal(table.lookup(['sip:alice@ims.test']), 'second');
    assert.equal(table.lookup(['sip:carol@IMS.TEST']), 'regex');
    assert.equal(table.lookup(['tel:+1-201-555-0100']), 'long');
    assert.equal(table.lookup(['tel:+1650']), 'short');
    assert.equal(table.lookup(['sip:bob@other.test']), 'default');
  });

  it('tries the identities in order before falling back: Public-Identity first, then User-Name', () => {
    assert.equal(table.lookup(['sip:nobody@other.test', 'sip:Alice@ims.test']), 'exact');
    assert.equal(new IdentityTable([]).lookup(['sip:x@y.test']), undefined);
  });

  it('reads the identities of Cx and Sh requests, an MSISDN as a tel URI', () => {
    assert.deepEqual(requestIdentities({ publicIdentity: ['sip:a@ims.test'], userName: 'a@ims.test' }), [
      'sip:a@ims.test',
      'a@ims.test',
    ]);
    assert.deepEqual(requestIdentities({ userIdentity: { msisdn: Buffer.from([0x21, 0x43, 0xf5]) } }), [
      'tel:+12345',
    ]);
  });
});

describe('SLF configuration', () => {
  const base = { hss: { h1: { host: 'hss1.ims.test' } } };

  it('defaults: slf.ims.test on 127.0.0.1:3869, ALL_USER for an hour; Redirect-Host URIs built from the HSSs', () => {
    const config = validateConfig(slfConfigSchema, { ...base, routes: [{ prefix: 'sip:', hss: 'h1' }] });
    assert.equal(config.diameter.originHost, 'slf.ims.test');
    assert.deepEqual(config.diameter.listen, { address: '127.0.0.1', port: 3869 });
    const policy = redirectPolicy(identityTable(config), config.redirect);
    assert.deepEqual(policy({ header: {} as never, avps: { publicIdentity: 'sip:a@ims.test' } }), {
      hosts: ['aaa://hss1.ims.test:3868;transport=tcp;protocol=diameter'],
      usage: RedirectHostUsage.ALL_USER,
      maxCacheTime: 3600,
    });
    assert.equal(policy({ header: {} as never, avps: { publicIdentity: 'tel:+1' } }), undefined);
  });

  it('refuses routes to HSSs it does not know, bad regular expressions and an empty HSS list', () => {
    const bad = [
      { ...base, routes: [{ exact: 'sip:a@b.test', hss: 'nope' }] },
      { ...base, defaultHss: 'nope' },
      { ...base, routes: [{ regex: '(', hss: 'h1' }] },
      { ...base, routes: [{ exact: 'x', prefix: 'y', hss: 'h1' }] },
      { hss: {} },
    ];
    for (const data of bad)
      assert.throws(() => validateConfig(slfConfigSchema, data), ConfigError, JSON.stringify(data));
  });
});
