import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SipParseError } from '../../../src/sip/message/errors.ts';
import { formatTelUri, parseTelUri, TelUri, telUriEquals } from '../../../src/sip/message/tel-uri.ts';

const rejects = (text: string, reason?: RegExp) =>
  assert.throws(
    () => parseTelUri(text),
    (e: unknown) => e instanceof SipParseError && (reason === undefined || reason.test(e.reason)),
    text,
  );
const eq = (a: string, b: string) => telUriEquals(parseTelUri(a), parseTelUri(b));

describe('RFC 3966 §6 examples', () => {
  it('tel:+1-201-555-0123 is a global number', () => {
    const u = parseTelUri('tel:+1-201-555-0123');
    assert.equal(u.number, '+12015550123');
    assert.equal(u.writtenNumber, '+1-201-555-0123');
    assert.ok(u.isGlobal);
    assert.equal(u.phoneContext, undefined);
    assert.equal(u.scheme, 'tel');
    assert.equal(u.toString(), 'tel:+1-201-555-0123');
  });
  it('tel:7042;phone-context=example.com is a local number in a domain', () => {
    const u = parseTelUri('tel:7042;phone-context=example.com');
    assert.equal(u.number, '7042');
    assert.ok(!u.isGlobal);
    assert.equal(u.phoneContext, 'example.com');
    assert.equal(u.toString(), 'tel:7042;phone-context=example.com');
  });
  it('tel:863-1234;phone-context=+1-914-555 is a local number with a global prefix context', () => {
    const u = parseTelUri('tel:863-1234;phone-context=+1-914-555');
    assert.equal(u.number, '8631234');
    assert.equal(u.phoneContext, '+1-914-555');
  });
});

describe('parsing', () => {
  it('extension, subaddress and other parameters, names case-insensitive', () => {
    const u = parseTelUri('TEL:+1-212-555-0101;EXT=1234;Foo=Bar;isub=a1%20/b;flag');
    assert.equal(u.ext, '1234');
    assert.equal(u.isub, 'a1%20/b');
    assert.equal(u.param('foo'), 'Bar');
    assert.equal(u.param('FLAG'), null);
    assert.ok(u.hasParam('Ext'));
    assert.deepEqual([...u.params.keys()], ['ext', 'foo', 'isub', 'flag']);
    assert.equal(u.toString(), 'TEL:+1-212-555-0101;EXT=1234;Foo=Bar;isub=a1%20/b;flag');
  });
  it('local numbers: hex digits, * and #, separators', () => {
    const u = parseTelUri('tel:*31#-(0)a.B;phone-context=ims.mnc001.mcc001.3gppnetwork.org');
    assert.equal(u.number, '*31#0aB');
    assert.equal(u.writtenNumber, '*31#-(0)a.B');
  });
  it('3GPP style home-local context', () => {
    assert.equal(
      parseTelUri('tel:1234;phone-context=home-local.ims.test').phoneContext,
      'home-local.ims.test',
    );
  });
  it('rejects what RFC 3966 does not allow', () => {
    for (const bad of [
      'tel:',
      'tel:+',
      'tel:+-',
      'tel:+12a3',
      'tel:+1 2',
      'tel:1234', // §5.1.5: local number without phone-context
      'tel:-.;phone-context=a.com',
      'tel:12G;phone-context=a.com',
      'tel:+1234;phone-context=example.com', // context on a global number
      'tel:1234;phone-context=',
      'tel:1234;phone-context=-bad.com',
      'tel:1234;phone-context=+',
      'tel:+1234;ext=',
      'tel:+1234;ext=12a',
      'tel:+1234;ext',
      'tel:+1234;isub=',
      'tel:+1234;isub=%zz',
      'tel:+1234;=x',
      'tel:+1234;a_b=1',
      'tel:+1234;a=b=c',
      'tel:+1234;a=1;A=2', // §3: a parameter appears at most once
      'tel:+1234;',
      'tel:+1234;x=%4',
      'sip:+1234@a.com',
    ]) {
      rejects(bad);
    }
    rejects('tel:1234', /^Bad tel URI: local number without phone-context$/);
    rejects('tel:', /^Bad tel URI: invalid number$/);
  });
});

describe('RFC 3966 §4 comparison', () => {
  it('visual separators are ignored', () => {
    assert.ok(eq('tel:+1-201-555-0123', 'tel:+12015550123'));
    assert.ok(eq('tel:+1(201)555.0123', 'tel:+1-201-555-0123'));
  });
  it('a local number never equals a global one', () => {
    assert.ok(!eq('tel:12015550123;phone-context=+1', 'tel:+12015550123'));
  });
  it('phone-context: domain names case-insensitive, digits without separators', () => {
    assert.ok(eq('tel:7042;phone-context=example.com', 'tel:7042;phone-context=EXAMPLE.COM'));
    assert.ok(eq('tel:863-1234;phone-context=+1-914-555', 'tel:8631234;phone-context=+1914555'));
    assert.ok(!eq('tel:7042;phone-context=example.com', 'tel:7042;phone-context=example.net'));
  });
  it('parameters in any order; one missing in the other never matches', () => {
    assert.ok(eq('tel:+1234;ext=1;foo=bar', 'tel:+1234;FOO=BAR;ext=1'));
    assert.ok(!eq('tel:+1234;ext=1', 'tel:+1234'));
    assert.ok(!eq('tel:+1234;foo', 'tel:+1234;foo=x'));
    assert.ok(!eq('tel:+1234;ext=1', 'tel:+1234;ext=2'));
    assert.ok(eq('tel:+1234;ext=1-2', 'tel:+1234;ext=12'));
  });
  it('hex digits of local numbers compare case-insensitively', () => {
    assert.ok(eq('tel:ab12;phone-context=a.com', 'tel:AB12;phone-context=a.com'));
    assert.ok(!eq('tel:ab12;phone-context=a.com', 'tel:ab13;phone-context=a.com'));
  });
});

describe('building and changing tel URIs', () => {
  it('builds a canonical URI with parameters in RFC 3966 §3 order', () => {
    const u = new TelUri({
      number: '555-1234',
      phoneContext: '+1-212',
      params: [
        ['zeta', '1'],
        ['ext', '77'],
        ['alpha', null],
      ],
    });
    assert.equal(u.toString(), 'tel:5551234;ext=77;phone-context=+1-212;alpha;zeta=1');
    assert.throws(() => new TelUri({ number: '1234' }), SipParseError);
    assert.throws(() => new TelUri({ number: '+12x' }), SipParseError);
    assert.throws(() => new TelUri({ number: '+12', phoneContext: 'a.com' }), /phone-context on a global/);
    assert.throws(() => new TelUri({ number: '+12', params: [['ext', 'x']] }), /invalid ext/);
    assert.throws(() => new TelUri({ number: '+12', params: [['isub', null]] }), /invalid isub/);
    assert.throws(() => new TelUri({ number: '+12', params: [['a b', '1']] }), /invalid parameter/);
    assert.throws(() => new TelUri({ number: '+12', params: [['a', 'x y']] }), /invalid parameter/);
  });
  it('gives the source text back until something changes', () => {
    const u = parseTelUri('tel:+1-201-555-0123;foo=1');
    assert.equal(u.toString(), 'tel:+1-201-555-0123;foo=1');
    u.params.set('ext', '9');
    assert.equal(u.toString(), 'tel:+12015550123;ext=9;foo=1');
    const v = parseTelUri('tel:+1-201-555-0123');
    v.number = '+4930123';
    assert.equal(v.toString(), 'tel:+4930123');
    assert.equal(v.writtenNumber, '+4930123');
    assert.equal(JSON.stringify(v), '"tel:+4930123"');
  });
});

const sep = fc.constantFrom('-', '.', '(', ')');
const digits = (chars: string) =>
  fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...chars) }, { weight: 1, arbitrary: sep }), {
      maxLength: 15,
    })
    .chain((a) => fc.constantFrom(...chars).map((d) => [...a, d].join('')));
const globalArb = digits('0123456789').map((d) => `+${d}`);
const localArb = digits('0123456789ABCDEFabcdef*#');
const pnameArb = fc
  .stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/)
  .filter((n) => n !== 'ext' && n !== 'isub' && n !== 'phone-context');
const pvalueArb = fc.stringMatching(/^([A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-F]{2}){1,10}$/);
const telInitArb = fc.record({
  global: fc.boolean(),
  g: globalArb,
  l: localArb,
  context: fc.oneof(globalArb, fc.domain()),
  ext: fc.option(digits('0123456789')),
  isub: fc.option(fc.stringMatching(/^([A-Za-z0-9\-_.!~*'()/?:@&=+$,]|%[0-9A-F]{2}){1,10}$/)),
  params: fc.uniqueArray(fc.tuple(pnameArb, fc.option(pvalueArb)), { maxLength: 3, selector: ([k]) => k }),
});

describe('properties', () => {
  it('parse(format(u)) equals u for generated URIs', () => {
    fc.assert(
      fc.property(telInitArb, (g) => {
        const params: [string, string | null][] = [...g.params];
        if (g.ext !== null) params.push(['ext', g.ext]);
        if (g.isub !== null) params.push(['isub', g.isub]);
        const u = new TelUri(
          g.global ? { number: g.g, params } : { number: g.l, phoneContext: g.context, params },
        );
        const text = u.toString();
        const p = parseTelUri(text);
        assert.equal(p.number, u.number);
        assert.equal(p.isGlobal, g.global);
        assert.deepEqual(new Map(p.params), new Map(u.params));
        assert.equal(formatTelUri(p), text);
        assert.ok(telUriEquals(p, u));
      }),
      { numRuns: 2000 },
    );
  });
  it('random strings never throw anything but SipParseError', () => {
    const check = (s: string) => {
      try {
        const u = parseTelUri(s);
        assert.ok(telUriEquals(u, parseTelUri(formatTelUri(u))));
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (s) => check(`tel:${s}`)));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), check));
  });
});
