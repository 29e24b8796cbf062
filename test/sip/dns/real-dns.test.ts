import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SipResolver } from '../../../src/sip/dns/index.ts';
import { TinyDnsServer } from './tiny-dns-server.ts';

describe('RFC 3263 over real DNS queries (a tiny server on 127.0.0.1)', () => {
  let dns: TinyDnsServer;
  let clock = 1_000_000;
  const resolver = () =>
    new SipResolver({ servers: [dns.address], timeoutMs: 1000, tries: 1, now: () => clock, random: () => 0 });

  before(async () => {
    dns = await TinyDnsServer.start({
      'ims.test': [
        {
          type: 'NAPTR',
          order: 10,
          preference: 10,
          flags: 'S',
          service: 'SIP+D2T',
          replacement: '_sip._tcp.ims.test',
        },
        {
          type: 'NAPTR',
          order: 20,
          preference: 10,
          flags: 'S',
          service: 'SIP+D2U',
          replacement: '_sip._udp.ims.test',
        },
        {
          type: 'NAPTR',
          order: 5,
          preference: 10,
          flags: 'U',
          service: 'E2U+sip',
          regexp: '!^.*$!sip:x@y!',
          replacement: '.',
        },
      ],
      '_sip._tcp.ims.test': [
        { type: 'SRV', priority: 20, weight: 0, port: 5070, target: 'backup.ims.test' },
        { type: 'SRV', priority: 10, weight: 10, port: 5060, target: 'pcscf.ims.test' },
      ],
      '_sip._udp.ims.test': [{ type: 'SRV', priority: 10, weight: 10, port: 5060, target: 'pcscf.ims.test' }],
      'pcscf.ims.test': [
        { type: 'A', address: '10.0.0.1', ttl: 30 },
        { type: 'AAAA', address: '2001:db8::1', ttl: 60 },
      ],
      'backup.ims.test': [{ type: 'A', address: '10.0.0.2' }],
      // No NAPTR here: the resolver falls back to SRV queries.
      'srvonly.test': [{ type: 'A', address: '10.0.1.9' }],
      '_sip._udp.srvonly.test': [{ type: 'SRV', priority: 1, weight: 1, port: 5099, target: 'srvonly.test' }],
      // Neither NAPTR nor SRV: A at the default port.
      'plain.test': [{ type: 'A', address: '10.0.2.1' }],
    });
  });
  after(() => dns.close());

  it('§4.1-4.2: NAPTR → SRV → A/AAAA, in NAPTR order, SRV priority order, failover list', async () => {
    const r = resolver();
    const targets = await r.resolve('sip:alice@ims.test');
    assert.deepEqual(
      targets.map((t) => `${t.protocol} ${t.host} ${t.port}`),
      [
        'tcp 10.0.0.1 5060',
        'tcp 2001:db8::1 5060',
        'tcp 10.0.0.2 5070',
        'udp 10.0.0.1 5060',
        'udp 2001:db8::1 5060',
      ],
    );
    assert.equal(targets[0]!.serverName, 'ims.test');
    assert.ok(dns.queries.includes('NAPTR ims.test'));
    assert.ok(dns.queries.includes('SRV _sip._tcp.ims.test'));
    assert.ok(dns.queries.includes('A pcscf.ims.test'));
    assert.ok(dns.queries.includes('AAAA pcscf.ims.test'));
    r.close();
  });

  it('§4.2: a transport parameter goes straight to SRV; an explicit port straight to A/AAAA', async () => {
    const r = resolver();
    const before = dns.queries.length;
    const udp = await r.resolve('sip:ims.test;transport=udp');
    assert.deepEqual(
      udp.map((t) => `${t.protocol} ${t.host} ${t.port}`),
      ['udp 10.0.0.1 5060', 'udp 2001:db8::1 5060'],
    );
    const asked = dns.queries.slice(before);
    assert.ok(!asked.includes('NAPTR ims.test'), 'no NAPTR query');
    const direct = await r.resolve('sip:pcscf.ims.test:5080');
    assert.deepEqual(
      direct.map((t) => `${t.protocol} ${t.host} ${t.port}`),
      ['udp 10.0.0.1 5080', 'udp 2001:db8::1 5080'],
    );
    r.close();
  });

  it('§4.1: no NAPTR → SRV per supported transport; no SRV → A at the default port', async () => {
    const r = resolver();
    assert.deepEqual(
      (await r.resolve('sip:srvonly.test')).map((t) => `${t.protocol} ${t.host} ${t.port}`),
      ['udp 10.0.1.9 5099'],
    );
    assert.deepEqual(
      (await r.resolve('sip:plain.test')).map((t) => `${t.protocol} ${t.host} ${t.port}`),
      ['udp 10.0.2.1 5060'],
    );
    assert.deepEqual(
      (await r.resolve('sips:plain.test')).map((t) => `${t.protocol} ${t.host} ${t.port}`),
      ['tls 10.0.2.1 5061'],
    );
    await assert.rejects(r.resolve('sip:nowhere.test'), { name: 'ResolveError', code: 'NOT_FOUND' });
    r.close();
  });

  it('caches answers: A records for their TTL, SRV/NAPTR for the default TTL', async () => {
    const r = resolver();
    await r.resolve('sip:alice@ims.test');
    const n = dns.queries.length;
    await r.resolve('sip:alice@ims.test');
    assert.equal(dns.queries.length, n, 'all from the cache');
    // Past the A TTL (30 s) and the negative TTL (30 s: backup has no AAAA), not the AAAA
    // TTL (60 s) nor the default TTL of SRV and NAPTR (300 s).
    clock += 31_000;
    await r.resolve('sip:alice@ims.test');
    assert.deepEqual(dns.queries.slice(n).sort(), ['A pcscf.ims.test', 'AAAA backup.ims.test']);
    clock += 300_000;
    await r.resolve('sip:alice@ims.test');
    assert.ok(dns.queries.slice(n).includes('NAPTR ims.test'));
    r.close();
  });
});
