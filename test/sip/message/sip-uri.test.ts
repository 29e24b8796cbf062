import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SipParseError } from '../../../src/sip/message/errors.ts';
import { formatSipUri, parseSipUri, SipUri, sipUriEquals } from '../../../src/sip/message/sip-uri.ts';

const fields = (u: SipUri) => ({
  scheme: u.scheme,
  user: u.user,
  password: u.password,
  host: u.host,
  port: u.port,
  params: [...u.params],
  headers: [...u.headers],
});
const rejects = (text: string, reason?: RegExp) =>
  assert.throws(
    () => parseSipUri(text),
    (e: unknown) => e instanceof SipParseError && (reason === undefined || reason.test(e.reason)),
    text,
  );

describe('RFC 3261 §19.1.3 example URIs', () => {
  const cases: [string, Partial<ReturnType<typeof fields>>][] = [
    ['sip:alice@atlanta.com', { scheme: 'sip', user: 'alice', host: 'atlanta.com', params: [] }],
    [
      'sip:alice:secretword@atlanta.com;transport=tcp',
      { user: 'alice', password: 'secretword', params: [['transport', 'tcp']] },
    ],
    [
      'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
      {
        scheme: 'sips',
        headers: [
          ['subject', 'project%20x'],
          ['priority', 'urgent'],
        ],
      },
    ],
    [
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      { user: '+1-212-555-1212', password: '1234', host: 'gateway.com', params: [['user', 'phone']] },
    ],
    ['sips:1212@gateway.com', { scheme: 'sips', user: '1212', host: 'gateway.com' }],
    ['sip:alice@192.0.2.4', { user: 'alice', host: '192.0.2.4', port: undefined }],
    [
      'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
      {
        user: undefined,
        host: 'atlanta.com',
        params: [['method', 'REGISTER']],
        headers: [['to', 'alice%40atlanta.com']],
      },
    ],
    ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday', host: 'atlanta.com', params: [] }],
  ];
  for (const [text, want] of cases) {
    it(`parses ${text} and gives it back byte-exact`, () => {
      const u = parseSipUri(text);
      const got = fields(u);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
      assert.equal(u.toString(), text);
    });
  }
});

describe('RFC 3261 §19.1.4 URI comparison', () => {
  const equivalent = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
  ];
  const different = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'], // different usernames
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'], // can resolve to different ports
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'], // can resolve to different transports
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'], // different port and transport
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'], // different header component
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'], // even though that's what it resolves to
  ];
  for (const [a, b] of equivalent) {
    it(`${a} == ${b}`, () => {
      assert.ok(sipUriEquals(parseSipUri(a!), parseSipUri(b!)));
      assert.ok(sipUriEquals(parseSipUri(b!), parseSipUri(a!)));
    });
  }
  for (const [a, b] of different) {
    it(`${a} != ${b}`, () => {
      assert.ok(!sipUriEquals(parseSipUri(a!), parseSipUri(b!)));
      assert.ok(!sipUriEquals(parseSipUri(b!), parseSipUri(a!)));
    });
  }
  it('equality is not transitive: security=on and security=off differ', () => {
    const on = parseSipUri('sip:carol@chicago.com;security=on');
    const off = parseSipUri('sip:carol@chicago.com;security=off');
    assert.ok(sipUriEquals(parseSipUri('sip:carol@chicago.com'), off));
    assert.ok(!sipUriEquals(on, off));
  });
  it('a SIP and a SIPS URI are never equivalent', () => {
    assert.ok(!sipUriEquals(parseSipUri('sip:a@b.com'), parseSipUri('sips:a@b.com')));
  });
  it('user, ttl, method and maddr in one URI only never match', () => {
    for (const p of ['user=phone', 'ttl=1', 'method=INVITE', 'maddr=192.0.2.1']) {
      assert.ok(!sipUriEquals(parseSipUri('sip:a@b.com'), parseSipUri(`sip:a@b.com;${p}`)), p);
    }
  });
  it('a URI omitting the user or password does not match one that has it', () => {
    assert.ok(!sipUriEquals(parseSipUri('sip:b.com'), parseSipUri('sip:a@b.com')));
    assert.ok(!sipUriEquals(parseSipUri('sip:a@b.com'), parseSipUri('sip:a:@b.com')));
  });
  it('escapes equal their characters except reserved ones; hex digits in any case', () => {
    assert.ok(sipUriEquals(parseSipUri('sip:%75se%72@example.com'), parseSipUri('sip:user@example.com')));
    assert.ok(sipUriEquals(parseSipUri('sip:a%3bb@example.com'), parseSipUri('sip:a%3Bb@example.com')));
    assert.ok(!sipUriEquals(parseSipUri('sip:a%3Bb@example.com'), parseSipUri('sip:a;b@example.com')));
    assert.ok(!sipUriEquals(parseSipUri('sip:Alice@example.com'), parseSipUri('sip:alice@example.com')));
  });
  it('IPv6 references compare as addresses', () => {
    assert.ok(sipUriEquals(parseSipUri('sip:[2001:DB8::10]'), parseSipUri('sip:[2001:db8:0:0:0:0:0:10]')));
    assert.ok(sipUriEquals(parseSipUri('sip:[::ffff:192.0.2.1]'), parseSipUri('sip:[::FFFF:c000:201]')));
    assert.ok(!sipUriEquals(parseSipUri('sip:[2001:db8::10]'), parseSipUri('sip:[2001:db8::11]')));
  });
  it('a parameter without a value does not match one with a value', () => {
    assert.ok(!sipUriEquals(parseSipUri('sip:a@b.com;lr'), parseSipUri('sip:a@b.com;lr=on')));
  });
});

describe('IPv6 references (RFC 5118)', () => {
  it('§4.1, §4.4: address and port', () => {
    assert.equal(parseSipUri('sip:[2001:db8::10]').host, '[2001:db8::10]');
    const u = parseSipUri('sip:[2001:db8::10]:5070');
    assert.equal(u.host, '[2001:db8::10]');
    assert.equal(u.port, 5070);
  });
  it('§4.3: port ambiguous: [2001:db8::10:5070] is an address, no port', () => {
    const u = parseSipUri('sip:[2001:db8::10:5070]');
    assert.equal(u.host, '[2001:db8::10:5070]');
    assert.equal(u.port, undefined);
  });
  it('§4.9, §4.10: IPv4-mapped and embedded IPv4', () => {
    assert.equal(parseSipUri('sip:[::ffff:192.0.2.1]').host, '[::ffff:192.0.2.1]');
    assert.equal(parseSipUri('sips:user@[2001:db8::192.0.2.1]:5061').port, 5061);
    assert.equal(parseSipUri('sip:[::]').host, '[::]');
    assert.equal(parseSipUri('sip:[1:2:3:4:5:6:7:8]').host, '[1:2:3:4:5:6:7:8]');
  });
  it('rejects malformed references', () => {
    for (const bad of [
      'sip:[2001:db8::10:5070',
      'sip:user@2001:db8::10', // §4.2: no brackets
      'sip:[2001:db8:::192.0.2.1]', // §4.10: three colons
      'sip:[1:2:3:4:5:6:7:8:9]',
      'sip:[1::2::3]',
      'sip:[12345::1]',
      'sip:[::1]x',
      'sip:[::1%25eth0]',
      'sip:[1:2:3:4:5:6:7:1.2.3.4]',
      'sip:[::256.0.0.1]',
      'sip:[]',
      'sip:[:1]',
      'sip:[1:]',
    ]) {
      rejects(bad);
    }
  });
});

describe('RFC 4475 escapes in the user part', () => {
  it('§3.1.1.2 esc01: an escaped sips:user@ in the user part', () => {
    const u = parseSipUri('sip:sips%3Auser%40example.com@example.net');
    assert.equal(u.user, 'sips%3Auser%40example.com');
    assert.equal(u.unescapedUser, 'sips:user@example.com');
    assert.equal(u.host, 'example.net');
    assert.equal(u.toString(), 'sip:sips%3Auser%40example.com@example.net');
  });
  it('§3.1.1.4 escnull: %00 in the user part', () => {
    const u = parseSipUri('sip:null-%00-null@example.com');
    assert.equal(u.user, 'null-%00-null');
    assert.equal(u.unescapedUser, 'null-\u0000-null');
  });
  it('§3.1.1.3 escaped characters that need no escaping', () => {
    const u = parseSipUri('sip:%75se%72@example.com');
    assert.equal(u.unescapedUser, 'user');
  });
  it('§3.1.1.9 semiuri: a ; in the user part', () => {
    const u = parseSipUri('sip:user;par=u%40example.net@example.com');
    assert.equal(u.user, 'user;par=u%40example.net');
    assert.equal(u.host, 'example.com');
    assert.equal(u.params.size, 0);
  });
  it('rejects broken escapes', () => {
    rejects('sip:a%4@example.com', /invalid user/);
    rejects('sip:a%zz@example.com', /invalid user/);
    rejects('sip:a@example.com;x=%4', /invalid parameter/);
    rejects('sip:a@example.com?x=%G0', /invalid header/);
  });
});

describe('parsing', () => {
  it('scheme is case-insensitive and kept as written', () => {
    const u = parseSipUri('SiPs:Bob@Biloxi.COM:5061');
    assert.equal(u.scheme, 'sips');
    assert.equal(u.host, 'Biloxi.COM');
    assert.equal(u.toString(), 'SiPs:Bob@Biloxi.COM:5061');
  });
  it('parameters: names lowercased, values as written, order kept, no-value as null', () => {
    const u = parseSipUri('sip:bob@b.com;Transport=TCP;lr;maddr=239.255.255.1;ob;x=[a]:b');
    assert.deepEqual(
      [...u.params],
      [
        ['transport', 'TCP'],
        ['lr', null],
        ['maddr', '239.255.255.1'],
        ['ob', null],
        ['x', '[a]:b'],
      ],
    );
    assert.equal(u.param('TRANSPORT'), 'TCP');
    assert.equal(u.param('lr'), null);
    assert.equal(u.param('nope'), undefined);
    assert.ok(u.hasParam('Lr'));
    assert.ok(!u.hasParam('user'));
  });
  it('a repeated parameter keeps its first value', () => {
    assert.equal(parseSipUri('sip:h.com;a=1;A=2').param('a'), '1');
  });
  it('host forms: hostname with trailing dot, IPv4, underscore', () => {
    assert.equal(parseSipUri('sip:example.com.').host, 'example.com.');
    assert.equal(parseSipUri('sip:10.0.0.1:0').port, 0);
    assert.equal(parseSipUri('sip:pcscf_1.ims.test').host, 'pcscf_1.ims.test');
    assert.equal(parseSipUri('sip:*31%23123@ims.test').user, '*31%23123');
    assert.equal(parseSipUri('sip:*31#123@ims.test').user, '*31#123');
  });
  it('rejects what the grammar does not allow', () => {
    for (const bad of [
      '',
      'sip',
      'sip:',
      'sips:',
      'tel:+1234',
      'sip:@example.com',
      'sip:a@',
      'sip:a@b.com:',
      'sip:a@b.com:65536',
      'sip:a@b.com:5060:5060',
      'sip:a@b.com:50x',
      'sip:a b@c.com',
      'sip:a@-b.com',
      'sip:a@b-.com',
      'sip:a@b..com',
      'sip:a@1.2.3',
      'sip:a@256.1.1.1',
      'sip:a@b.123',
      'sip:a@b.com;',
      'sip:a@b.com;=x',
      'sip:a@b.com;a=b=c',
      'sip:a@b.com?',
      'sip:a@b.com?x',
      'sip:a@b.com?=y',
      'sip:a@b.com?a=b&',
      'sip:a@b.com>',
      'sip:a:b:c@d.com',
      'sip:a@b@c.com',
      'sip:<a@b.com>',
      ' sip:a@b.com',
      'sip:a@b.com ',
      'sip:ü@b.com',
    ]) {
      rejects(bad);
    }
    rejects('sip:a@b.com:99999', /^Bad SIP URI: invalid port$/);
  });
});

describe('building and changing URIs', () => {
  it('builds a Record-Route URI', () => {
    const u = new SipUri({ host: '127.0.0.1', port: 5060, params: [['lr', null]] });
    assert.equal(u.toString(), 'sip:127.0.0.1:5060;lr');
    assert.equal(u.scheme, 'sip');
    assert.ok(u.hasParam('lr'));
  });
  it('brackets a bare IPv6 host and validates host and port', () => {
    assert.equal(new SipUri({ host: '2001:db8::1', port: 5060 }).toString(), 'sip:[2001:db8::1]:5060');
    assert.throws(() => new SipUri({ host: 'a b' }), SipParseError);
    assert.throws(() => new SipUri({ host: 'a.com', port: 70000 }), SipParseError);
  });
  it('escapes what the grammar needs in the canonical form', () => {
    const u = new SipUri({
      scheme: 'sips',
      user: 'al ice@x#1',
      password: 'p:w',
      host: 'h.com',
      params: [['Weird', 'a b']],
      headers: [['Subject', 'hi there&more']],
    });
    assert.equal(u.toString(), 'sips:al%20ice%40x%231:p%3Aw@h.com;weird=a%20b?Subject=hi%20there%26more');
    assert.equal(parseSipUri(u.toString()).unescapedUser, 'al ice@x#1');
  });
  it('gives the source text back until something changes, then the canonical form', () => {
    const text = 'SIP:Alice@Example.COM:05060;Transport=TCP;lr?Subject=x';
    const u = parseSipUri(text);
    assert.equal(u.param('transport'), 'TCP');
    assert.equal(u.toString(), text);
    u.params.set('ob', null);
    assert.equal(u.toString(), 'sip:Alice@Example.COM:5060;transport=TCP;lr;ob?Subject=x');
    const v = parseSipUri(text);
    v.port = 5070;
    assert.equal(v.toString(), 'sip:Alice@Example.COM:5070;transport=TCP;lr?Subject=x');
    v.port = 5060;
    assert.equal(v.toString(), 'sip:Alice@Example.COM:5060;transport=TCP;lr?Subject=x');
    const w = parseSipUri(text);
    w.headers.delete('Subject');
    assert.equal(w.toString(), 'sip:Alice@Example.COM:5060;transport=TCP;lr');
    const x = parseSipUri(text);
    x.params = [['maddr', '10.0.0.1']];
    assert.equal(x.toString(), 'sip:Alice@Example.COM:5060;maddr=10.0.0.1?Subject=x');
  });
  it('clone() is independent of the original', () => {
    const a = parseSipUri('sip:a@b.com;lr');
    const b = a.clone();
    b.params.delete('lr');
    assert.equal(a.toString(), 'sip:a@b.com;lr');
    assert.equal(b.toString(), 'sip:a@b.com');
    assert.equal(JSON.stringify({ uri: a }), '{"uri":"sip:a@b.com;lr"}');
  });
  it('formatSipUri is canonical even for an unmodified URI', () => {
    assert.equal(formatSipUri(parseSipUri('SIP:a@B.com:007;LR')), 'sip:a@B.com:7;lr');
  });
});

// Generators that follow RFC 3261 §25.1, so the canonical form is the same text.
const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const mark = "-_.!~*'()";
const escaped = fc
  .tuple(fc.constantFrom(...'0123456789ABCDEFabcdef'), fc.constantFrom(...'0123456789ABCDEF'))
  .map(([a, b]) => `%${a}${b}`);
const token = (chars: string, min = 1) =>
  fc
    .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...chars) }, { weight: 1, arbitrary: escaped }), {
      minLength: min,
      maxLength: 12,
    })
    .map((a) => a.join(''));
const userArb = token(`${alnum}${mark}&=+$,;?/`);
const passwordArb = token(`${alnum}${mark}&=+$,`, 0);
const paramchars = `${alnum}${mark}[]/:&+$`;
const hnvchars = `${alnum}${mark}[]/?:+$`;
const hostArb = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);
const sipUriInitArb = fc.record(
  {
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: userArb,
    password: passwordArb,
    host: hostArb,
    port: fc.integer({ min: 0, max: 65535 }),
    params: fc.uniqueArray(
      fc.tuple(
        token(paramchars).map((s) => s.toLowerCase()),
        fc.option(token(paramchars)),
      ),
      {
        maxLength: 4,
        selector: ([k]) => k,
      },
    ),
    headers: fc.uniqueArray(fc.tuple(token(hnvchars), token(hnvchars, 0)), {
      maxLength: 3,
      selector: ([k]) => k,
    }),
  },
  { requiredKeys: ['scheme', 'host', 'params', 'headers'] },
);

describe('properties', () => {
  it('parse(format(u)) equals u for generated URIs', () => {
    fc.assert(
      fc.property(sipUriInitArb, (init) => {
        if (init.password !== undefined && init.user === undefined) delete init.password;
        const u = new SipUri(init);
        const text = u.toString();
        const p = parseSipUri(text);
        assert.deepEqual(fields(p), fields(u));
        assert.equal(p.toString(), text);
        assert.equal(formatSipUri(p), text);
        assert.ok(sipUriEquals(p, u));
      }),
      { numRuns: 2000 },
    );
  });
  it('random strings never throw anything but SipParseError', () => {
    const check = (s: string) => {
      try {
        const u = parseSipUri(s);
        u.params;
        u.headers;
        assert.ok(sipUriEquals(u, parseSipUri(formatSipUri(u))));
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (s) => check(`sip:${s}`)));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), check));
    // Valid URIs with one character replaced or inserted.
    fc.assert(
      fc.property(
        sipUriInitArb,
        fc.nat(),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 2 }),
        fc.boolean(),
        (init, at, ins, replace) => {
          if (init.password !== undefined && init.user === undefined) delete init.password;
          const t = new SipUri(init).toString();
          const k = at % (t.length + 1);
          check(t.slice(0, k) + ins + t.slice(replace ? k + 1 : k));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
