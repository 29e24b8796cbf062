import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DnsAnswer,
  type DnsClient,
  type NaptrRecord,
  orderSrv,
  type ResolvedTarget,
  SipResolver,
  type SrvRecord,
} from '../../../src/sip/dns/index.ts';
import { parseSipUri } from '../../../src/sip/message/index.ts';

/** A DnsClient answering from maps and counting queries. */
class FakeDns implements DnsClient {
  queries: string[] = [];
  constructor(
    private readonly data: {
      naptr?: Record<string, NaptrRecord[]>;
      srv?: Record<string, SrvRecord[]>;
      a?: Record<string, { addresses: string[]; ttl: number }>;
      aaaa?: Record<string, { addresses: string[]; ttl: number }>;
    },
  ) {}
  async naptr(name: string): Promise<DnsAnswer<NaptrRecord>> {
    this.queries.push(`NAPTR ${name}`);
    const r = this.data.naptr?.[name];
    return r ? { records: r } : { records: [], negative: true };
  }
  async srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    this.queries.push(`SRV ${name}`);
    const r = this.data.srv?.[name];
    return r ? { records: r } : { records: [], negative: true };
  }
  async addresses(name: string, family: 4 | 6): Promise<DnsAnswer<string>> {
    this.queries.push(`${family === 4 ? 'A' : 'AAAA'} ${name}`);
    const r = (family === 4 ? this.data.a : this.data.aaaa)?.[name];
    return r ? { records: r.addresses, ttl: r.ttl } : { records: [], negative: true };
  }
}

const show = (ts: ResolvedTarget[]) => ts.map((t) => `${t.protocol} ${t.host} ${t.port}`);

/** A small deterministic PRNG (mulberry32) for the weighted-order statistics. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SipResolver (RFC 3263)', () => {
  it('the static host table answers first: next hops, and name → address entries', async () => {
    const dns = new FakeDns({});
    const r = new SipResolver({
      client: dns,
      hosts: {
        'scscf.ims.test': [{ host: '127.0.0.1', port: 6060, protocol: 'udp' }],
        'icscf.ims.test': [
          { host: 'icscf-host.ims.test', port: 4060 },
          { host: '127.0.0.2', protocol: 'tcp' },
        ],
        'icscf-host.ims.test': '127.0.0.3',
        'hss.ims.test': ['127.0.0.4', '::1'],
      },
    });
    assert.deepEqual(show(await r.resolve('sip:scscf.ims.test;lr')), ['udp 127.0.0.1 6060']);
    assert.deepEqual(show(await r.resolve('sip:icscf.ims.test')), [
      'udp 127.0.0.3 4060',
      'tcp 127.0.0.2 5060',
    ]);
    // An entry without a protocol takes the URI's; one with another protocol is skipped.
    assert.deepEqual(show(await r.resolve('sip:icscf.ims.test;transport=tcp')), [
      'tcp 127.0.0.3 4060',
      'tcp 127.0.0.2 5060',
    ]);
    await assert.rejects(r.resolve('sip:scscf.ims.test;transport=tcp'), { code: 'NOT_FOUND' });
    assert.deepEqual(show(await r.resolve('sip:hss.ims.test')), ['udp 127.0.0.4 5060', 'udp ::1 5060']);
    // An explicit port uses the entry as addresses.
    assert.deepEqual(show(await r.resolve('sip:hss.ims.test:7000;transport=tcp')), [
      'tcp 127.0.0.4 7000',
      'tcp ::1 7000',
    ]);
    assert.equal((await r.resolve('sip:SCSCF.ims.test.'))[0]!.serverName, 'scscf.ims.test');
    assert.deepEqual(dns.queries, [], 'no DNS query at all');
  });

  it('§4.1: numeric hosts are used directly, UDP for sip and TLS for sips, default ports', async () => {
    const r = new SipResolver({ client: new FakeDns({}) });
    assert.deepEqual(show(await r.resolve('sip:10.0.0.1')), ['udp 10.0.0.1 5060']);
    assert.deepEqual(show(await r.resolve('sip:bob@10.0.0.1:5080;transport=TCP')), ['tcp 10.0.0.1 5080']);
    assert.deepEqual(show(await r.resolve('sips:10.0.0.1')), ['tls 10.0.0.1 5061']);
    assert.deepEqual(show(await r.resolve('sips:10.0.0.1;transport=tcp')), ['tls 10.0.0.1 5061']);
    assert.deepEqual(show(await r.resolve(parseSipUri('sip:[2001:db8::1]:5070'))), ['udp 2001:db8::1 5070']);
    // maddr is the TARGET when present.
    assert.deepEqual(show(await r.resolve('sip:bob@ims.test;maddr=10.9.9.9')), ['udp 10.9.9.9 5060']);
    assert.equal((await r.resolve('sip:10.0.0.1'))[0]!.serverName, undefined);
  });

  it('refuses URIs and transports it cannot use', async () => {
    const r = new SipResolver({ client: new FakeDns({}), protocols: ['udp', 'tcp'] });
    await assert.rejects(r.resolve('tel:+15551234'), { code: 'UNSUPPORTED_URI' });
    await assert.rejects(r.resolve('sips:10.0.0.1;transport=udp'), { code: 'UNSUPPORTED_TRANSPORT' });
    await assert.rejects(r.resolve('sip:10.0.0.1;transport=sctp'), { code: 'UNSUPPORTED_TRANSPORT' });
    await assert.rejects(r.resolve('sip:10.0.0.1;transport=tls'), { code: 'UNSUPPORTED_TRANSPORT' });
  });

  it('§4.1: NAPTR keeps supported services only, and only SIPS services for a sips URI', async () => {
    const naptr = (order: number, service: string, replacement: string): NaptrRecord => ({
      order,
      preference: 0,
      flags: 's',
      service,
      regexp: '',
      replacement,
    });
    const dns = new FakeDns({
      naptr: {
        'ims.test': [
          naptr(10, 'SIP+D2S', '_sip._sctp.ims.test'),
          naptr(20, 'SIPS+D2T', '_sips._tcp.ims.test'),
          naptr(30, 'SIP+D2U', '_sip._udp.ims.test'),
          naptr(40, 'SIP+D2W', '_sip._ws.ims.test'),
        ],
      },
      srv: {
        '_sip._sctp.ims.test': [{ priority: 0, weight: 0, port: 5060, name: 'a.ims.test' }],
        '_sips._tcp.ims.test': [{ priority: 0, weight: 0, port: 5061, name: 'a.ims.test' }],
        '_sip._udp.ims.test': [{ priority: 0, weight: 0, port: 5060, name: 'a.ims.test' }],
        '_sip._ws.ims.test': [{ priority: 0, weight: 0, port: 8080, name: 'a.ims.test' }],
      },
      a: { 'a.ims.test': { addresses: ['10.0.0.1'], ttl: 60 } },
    });
    const r = new SipResolver({ client: dns, protocols: ['udp', 'tcp', 'tls', 'ws'], families: [4] });
    assert.deepEqual(show(await r.resolve('sip:ims.test')), [
      'tls 10.0.0.1 5061',
      'udp 10.0.0.1 5060',
      'ws 10.0.0.1 8080',
    ]);
    assert.deepEqual(show(await r.resolve('sips:ims.test')), ['tls 10.0.0.1 5061']);
  });

  it('RFC 2782: SRV by priority, then weighted random within a priority', () => {
    const recs = [
      { priority: 10, weight: 60, port: 1, name: 'a' },
      { priority: 10, weight: 20, port: 2, name: 'b' },
      { priority: 10, weight: 20, port: 3, name: 'c' },
      { priority: 20, weight: 0, port: 4, name: 'd' },
      { priority: 5, weight: 0, port: 5, name: 'e' },
    ];
    assert.deepEqual(
      orderSrv(recs, () => 0).map((r) => r.name),
      ['e', 'a', 'b', 'c', 'd'],
    );
    // random 0.99 → 99 of 0..100: the running sum reaches it only at c.
    assert.equal(orderSrv(recs, () => 0.99)[1]!.name, 'c');
    const random = seeded(42);
    const firsts = { a: 0, b: 0, c: 0 } as Record<string, number>;
    for (let i = 0; i < 5000; i++) firsts[orderSrv(recs, random)[1]!.name]!++;
    assert.ok(firsts.a! > 2600 && firsts.a! < 3400, `a first ~60%: ${JSON.stringify(firsts)}`);
    assert.ok(firsts.b! > 700 && firsts.b! < 1300, `b first ~20%: ${JSON.stringify(firsts)}`);
    // Every record appears once.
    assert.equal(new Set(orderSrv(recs, random).map((r) => r.name)).size, 5);
  });

  it('caches with TTLs on an injected clock: record TTL for A, default for SRV, negative TTL', async () => {
    let now = 0;
    const dns = new FakeDns({
      srv: { '_sip._udp.ims.test': [{ priority: 0, weight: 0, port: 5060, name: 'a.ims.test' }] },
      a: { 'a.ims.test': { addresses: ['10.0.0.1'], ttl: 10 } },
    });
    const r = new SipResolver({
      client: dns,
      now: () => now,
      families: [4],
      defaultTtlSeconds: 100,
      negativeTtlSeconds: 50,
    });
    const count = (q: string) => dns.queries.filter((x) => x === q).length;
    await r.resolve('sip:ims.test');
    await r.resolve('sip:ims.test');
    assert.equal(count('A a.ims.test'), 1);
    assert.equal(count('NAPTR ims.test'), 1);
    now = 11_000;
    await r.resolve('sip:ims.test');
    assert.equal(count('A a.ims.test'), 2, 'A expired after 10 s');
    assert.equal(count('SRV _sip._udp.ims.test'), 1);
    assert.equal(count('NAPTR ims.test'), 1, 'negative answer kept 50 s');
    now = 51_000;
    await r.resolve('sip:ims.test');
    assert.equal(count('NAPTR ims.test'), 2);
    assert.equal(count('SRV _sip._udp.ims.test'), 1);
    now = 101_000;
    await r.resolve('sip:ims.test');
    assert.equal(count('SRV _sip._udp.ims.test'), 2, 'SRV expired after the default 100 s');
  });

  it('a failing server counts as no answer and is not cached', async () => {
    let fail = true;
    const dns: DnsClient = {
      naptr: async () => ({ records: [] }),
      srv: async () => ({ records: [] }),
      addresses: async () => {
        if (fail) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
        return { records: ['10.0.0.7'], ttl: 60 };
      },
    };
    const r = new SipResolver({ client: dns, families: [4] });
    await assert.rejects(r.resolve('sip:x.test:5060'), { code: 'NOT_FOUND' });
    fail = false;
    assert.deepEqual(show(await r.resolve('sip:x.test:5060')), ['udp 10.0.0.7 5060']);
  });
});
