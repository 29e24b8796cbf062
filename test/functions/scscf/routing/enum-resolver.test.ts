/** ENUM (RFC 6116) for the S-CSCF: NAPTR rule choice and rewrite, over a real DNS query. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyNaptr,
  EnumResolver,
  enumDomain,
} from '../../../../src/functions/scscf/routing/enum-resolver.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import { TinyDnsServer } from '../../../sip/dns/tiny-dns-server.ts';

const rule = (order: number, preference: number, service: string, regexp: string, flags = 'u') => ({
  order,
  preference,
  flags,
  service,
  regexp,
  replacement: '',
});

describe('ENUM (RFC 6116)', () => {
  it('the domain is the reversed digits under the apex', () => {
    assert.equal(enumDomain('+4412345', 'e164.arpa'), '5.4.3.2.1.4.4.e164.arpa');
    assert.equal(enumDomain('+15550002', 'e164.ims.test.'), '2.0.0.0.5.5.5.1.e164.ims.test');
  });

  it('terminal E2U+sip rules by order then preference; the regexp rewrites with backreferences', () => {
    const records = [
      rule(20, 10, 'E2U+sip', '!^.*$!sip:late@ims.test!'),
      rule(10, 20, 'E2U+sip', '!^\\+1(.*)$!sip:\\1@second.test!'),
      rule(10, 10, 'E2U+mailto', '!^.*$!mailto:x@y.test!'),
      rule(10, 15, 'E2U+voice:sip', '!^\\+(.*)$!sip:\\1@first.test;user=phone!'),
      rule(5, 1, 'E2U+sip', '!^.*$!sip:nonterminal@ims.test!', ''),
    ];
    assert.equal(applyNaptr(records, '+15550002'), 'sip:15550002@first.test;user=phone');
    assert.equal(applyNaptr([records[1]!], '+15550002'), 'sip:5550002@second.test');
    assert.equal(applyNaptr([records[1]!], '+4420'), undefined, 'the regexp does not match');
    assert.equal(applyNaptr([rule(1, 1, 'E2U+sip', 'bad')], '+1'), undefined);
  });

  it('dns mode asks NAPTR of the number under the suffix; no record or no answer means no URI', async () => {
    const dns = await TinyDnsServer.start({
      '2.0.0.0.5.5.5.1.e164.test': [
        {
          type: 'NAPTR',
          order: 100,
          preference: 10,
          flags: 'u',
          service: 'E2U+sip',
          regexp: '!^.*$!sip:bob@ims.test!',
          replacement: '.',
        },
      ],
    });
    const resolver = new EnumResolver(
      { mode: 'dns', servers: [dns.address], suffix: 'e164.test', timeoutMs: 500 },
      silentLogger,
    );
    try {
      assert.equal(await resolver.lookup('+15550002'), 'sip:bob@ims.test');
      assert.equal(await resolver.lookup('+15550003'), undefined);
      assert.deepEqual(dns.queries, ['NAPTR 2.0.0.0.5.5.5.1.e164.test', 'NAPTR 3.0.0.0.5.5.5.1.e164.test']);
    } finally {
      resolver.close();
      await dns.close();
    }
  });

  it('static mode reads the table; none mode never answers', async () => {
    const s = new EnumResolver({ mode: 'static', table: { '+15550002': 'sip:bob@ims.test' } }, silentLogger);
    assert.equal(await s.lookup('+15550002'), 'sip:bob@ims.test');
    assert.equal(await s.lookup('+15550003'), undefined);
    assert.equal(await new EnumResolver({ mode: 'none' }, silentLogger).lookup('+15550002'), undefined);
  });
});
