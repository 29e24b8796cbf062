import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SipParseError } from '../../../src/sip/message/errors.ts';
import {
  AbsoluteUri,
  isAbsoluteUri,
  isSipUri,
  isTelUri,
  parseUri,
  SipUri,
  TelUri,
  uriEquals,
} from '../../../src/sip/message/uri.ts';

describe('parseUri dispatch', () => {
  it('sip: and sips: give SipUri, scheme case-insensitive', () => {
    for (const t of ['sip:a@b.com', 'SIP:a@b.com', 'sips:a@b.com', 'SiPs:a@b.com']) {
      const u = parseUri(t);
      assert.ok(u instanceof SipUri && isSipUri(u) && !isTelUri(u), t);
      assert.equal(u.toString(), t);
    }
  });
  it('tel: gives TelUri', () => {
    const u = parseUri('Tel:+1-201-555-0123');
    assert.ok(u instanceof TelUri && isTelUri(u) && !isSipUri(u));
    assert.equal(u.scheme, 'tel');
  });
  it('other schemes are kept opaque', () => {
    for (const [t, scheme] of [
      ['urn:service:sos', 'urn'],
      ['mailto:alice@example.com', 'mailto'],
      ['http://www.example.com/a?b=c#d', 'http'],
      ['HTTP://x', 'http'],
      ['soap.beep://192.0.2.103:3002', 'soap.beep'],
      ['im:bob@example.com', 'im'],
      ['sipx:a@b', 'sipx'],
      ['telx:1', 'telx'],
      ['urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'urn'],
    ] as const) {
      const u = parseUri(t);
      assert.ok(u instanceof AbsoluteUri && isAbsoluteUri(u), t);
      assert.equal(u.scheme, scheme);
      assert.equal(u.toString(), t);
    }
  });
  it('rejects what is not an absoluteURI', () => {
    for (const t of [
      '',
      ':',
      'urn:',
      '1urn:x',
      'ur n:x',
      'urn x',
      'urn:a b',
      'urn:<x>',
      'urn:%zz',
      'urn:é',
    ]) {
      assert.throws(() => parseUri(t), SipParseError, t);
    }
    assert.throws(() => parseUri('sip:'), /Bad SIP URI/);
    assert.throws(() => parseUri('tel:'), /Bad tel URI/);
  });
});

describe('uriEquals', () => {
  it('dispatches to the scheme rules', () => {
    assert.ok(uriEquals(parseUri('sip:%61lice@atlanta.com'), parseUri('SIP:alice@ATLANTA.com')));
    assert.ok(uriEquals(parseUri('tel:+1-201-555-0123'), parseUri('tel:+12015550123')));
    assert.ok(!uriEquals(parseUri('sip:alice@atlanta.com'), parseUri('sips:alice@atlanta.com')));
  });
  it('URIs of different schemes never match (RFC 3261 §19.1.6: no tel/SIP conversion)', () => {
    assert.ok(!uriEquals(parseUri('sip:+12015550123@example.com;user=phone'), parseUri('tel:+12015550123')));
    assert.ok(!uriEquals(parseUri('tel:+12015550123'), parseUri('urn:x')));
    assert.ok(!uriEquals(parseUri('urn:x'), parseUri('sip:x.com')));
  });
  it('other schemes: scheme case-insensitive, escapes normalized, the rest as written', () => {
    assert.ok(uriEquals(parseUri('URN:service:sos'), parseUri('urn:service:sos')));
    assert.ok(uriEquals(parseUri('urn:service:%73os'), parseUri('urn:service:sos')));
    assert.ok(!uriEquals(parseUri('urn:service:SOS'), parseUri('urn:service:sos')));
    assert.ok(!uriEquals(parseUri('urn:service:sos'), parseUri('mailto:service:sos')));
  });
});

describe('properties', () => {
  it('random strings never throw anything but SipParseError', () => {
    const check = (s: string) => {
      try {
        const u = parseUri(s);
        assert.equal(u.toString(), s);
        assert.ok(uriEquals(u, parseUri(s)));
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.constantFrom('sip:', 'sips:', 'tel:', 'urn:', 'SIP:', 'Tel:'), fc.string(), (p, s) =>
        check(p + s),
      ),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.webUrl(), check));
  });
});
