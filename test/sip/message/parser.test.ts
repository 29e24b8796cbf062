import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTHORIZATION,
  type Contact,
  formatAuth,
  Headers,
  P_ACCESS_NETWORK_INFO,
  P_ASSERTED_IDENTITY,
  P_ASSOCIATED_URI,
  P_CALLED_PARTY_ID,
  P_CHARGING_FUNCTION_ADDRESSES,
  P_CHARGING_VECTOR,
  P_PREFERRED_IDENTITY,
  P_VISITED_NETWORK_ID,
  PATH,
  parseMessage,
  SECURITY_CLIENT,
  SECURITY_SERVER,
  SECURITY_VERIFY,
  SERVICE_ROUTE,
  SipParseError,
  type SipRequest,
  SipResponse,
  SUPPORTED,
  validateMessage,
  WWW_AUTHENTICATE,
} from '../../../src/sip/message/index.ts';

const msg = (lines: string[], body = '') => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);

/** RFC 3261 §8.1.1: the headers every request needs, added where `lines` has none of its own. */
const complete = (lines: string[]): string[] => {
  const method = lines[0]!.split(' ')[0]!;
  const defaults: [string, string][] = [
    ['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1'],
    ['From', '<sip:a@b>;tag=1'],
    ['To', '<sip:a@b>'],
    ['Call-ID', 'c1'],
    ['CSeq', `1 ${method}`],
  ];
  const has = (name: string) => lines.some((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return [...lines, ...defaults.filter(([n]) => !has(n)).map(([n, v]) => `${n}: ${v}`)];
};

const REGISTER = [
  'REGISTER sip:ims.test SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'From: <sip:alice@ims.test>;tag=4fa3',
  'To: <sip:alice@ims.test>',
  'Call-ID: apb03a0s09dkjdfglkj49111',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@10.0.0.1:5060;transport=udp>;expires=600000;+sip.instance="<urn:gsma:imei:35808310-001234-0>";reg-id=1;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
  'Authorization: Digest username="alice@ims.test", realm="ims.test", nonce="", uri="sip:ims.test", response="", algorithm=AKAv1-MD5',
  'Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=5062;port-s=5064, tls;q=0.1',
  'Supported: path, gruu, sec-agree',
  'Require: sec-agree',
  'Proxy-Require: sec-agree',
  'P-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=001010001000019B',
  'P-Visited-Network-ID: "Visited network number 1", other.net;foo=bar',
  'Path: <sip:term@pcscf.ims.test:5060;lr>',
  'Expires: 600000',
  'Content-Length: 0',
];

describe('SIP message parser', () => {
  it('parses an IMS REGISTER and its typed headers', () => {
    const m = parseMessage(msg(REGISTER)) as SipRequest;
    validateMessage(m);
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.uri.toString(), 'sip:ims.test');
    const via = m.topVia;
    assert.equal(via.transport, 'UDP');
    assert.equal(via.host, '10.0.0.1');
    assert.equal(via.port, 5060);
    assert.equal(via.branch, 'z9hG4bKnashds7');
    assert.equal(via.rport, null);
    assert.equal(m.from.tag, '4fa3');
    assert.equal(m.to.tag, undefined);
    const [c] = m.contacts as Contact[];
    assert.equal(c?.expires, 600000);
    assert.equal(c?.instanceId, 'urn:gsma:imei:35808310-001234-0');
    assert.equal(c?.regId, 1);
    assert.equal(c?.param('+g.3gpp.icsi-ref'), 'urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel');
    const auth = m.first(AUTHORIZATION)!;
    assert.equal(auth.scheme, 'Digest');
    assert.equal(auth.params.username, 'alice@ims.test');
    assert.equal(auth.params.nonce, '');
    assert.equal(auth.params.algorithm, 'AKAv1-MD5');
    const sec = m.all(SECURITY_CLIENT);
    assert.equal(sec.length, 2);
    assert.equal(sec[0]?.mechanism, 'ipsec-3gpp');
    assert.equal(sec[0]?.param('spi-c'), '1111');
    assert.equal(sec[1]?.mechanism, 'tls');
    assert.equal(sec[1]?.preference, 0.1);
    assert.deepEqual(m.all(SUPPORTED), ['path', 'gruu', 'sec-agree']);
    const pani = m.first(P_ACCESS_NETWORK_INFO)!;
    assert.equal(pani.accessType, '3GPP-E-UTRAN-FDD');
    assert.equal(pani.params.get('utran-cell-id-3gpp'), '001010001000019B');
    assert.equal(pani.networkProvided, false);
    assert.deepEqual(
      m.all(P_VISITED_NETWORK_ID).map((v) => v.value),
      ['Visited network number 1', 'other.net'],
    );
    assert.equal(m.first(PATH)?.uriText, 'sip:term@pcscf.ims.test:5060;lr');
    assert.equal(m.expires, 600000);
  });

  it('parses the identity and charging P-headers (RFC 7315)', () => {
    const m = parseMessage(
      msg([
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds7;received=192.0.2.4;rport=5070',
        'From: <sip:alice@ims.test>;tag=4fa3',
        'To: <sip:alice@ims.test>;tag=x1',
        'Call-ID: c1',
        'CSeq: 2 REGISTER',
        'P-Associated-URI: <sip:alice@ims.test>, <tel:+15551234567>',
        'Service-Route: <sip:orig@scscf.ims.test:6060;lr>',
        'P-Asserted-Identity: "Alice" <sip:alice@ims.test>',
        'P-Asserted-Identity: tel:+15551234567',
        'P-Called-Party-ID: <sip:bob@ims.test>',
        'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=023551024"; orig-ioi=home1.net; icid-generated-at=192.0.6.8',
        'P-Charging-Function-Addresses: ccf=192.1.1.1; ccf=192.1.1.2; ecf="aaa://ecf.ims.test"',
        'Security-Server: tls;q=0.2, digest;d-alg=md5',
        'Security-Verify: tls;q=0.2',
        'WWW-Authenticate: Digest realm="ims.test", nonce="abc=", qop="auth,auth-int", algorithm=MD5, stale=FALSE',
        'Content-Length: 0',
      ]),
    ) as SipResponse;
    validateMessage(m);
    assert.ok(m instanceof SipResponse);
    assert.equal(m.topVia.received, '192.0.2.4');
    assert.equal(m.topVia.rport, 5070);
    assert.deepEqual(
      m.all(P_ASSOCIATED_URI).map((a) => a.uri.toString()),
      ['sip:alice@ims.test', 'tel:+15551234567'],
    );
    assert.equal(m.all(SERVICE_ROUTE)[0]?.uriText, 'sip:orig@scscf.ims.test:6060;lr');
    const pai = m.all(P_ASSERTED_IDENTITY);
    assert.equal(pai.length, 2);
    assert.equal(pai[0]?.displayName, 'Alice');
    assert.equal(pai[1]?.uri.scheme, 'tel');
    assert.equal(m.first(P_CALLED_PARTY_ID)?.uriText, 'sip:bob@ims.test');
    const pcv = m.first(P_CHARGING_VECTOR)!;
    assert.equal(pcv.icidValue, 'AyretyU0dm+6O2IrT5tAFrbHLso=023551024');
    assert.equal(pcv.origIoi, 'home1.net');
    assert.equal(pcv.icidGeneratedAt, '192.0.6.8');
    assert.deepEqual(m.first(P_CHARGING_FUNCTION_ADDRESSES), {
      ccf: ['192.1.1.1', '192.1.1.2'],
      ecf: ['aaa://ecf.ims.test'],
    });
    assert.deepEqual(
      m.all(SECURITY_SERVER).map((s) => s.mechanism),
      ['tls', 'digest'],
    );
    assert.equal(m.first(SECURITY_VERIFY)?.preference, 0.2);
    const chal = m.first(WWW_AUTHENTICATE)!;
    assert.equal(chal.params.qop, 'auth,auth-int');
    assert.equal(chal.params.nonce, 'abc=');
    assert.equal(
      formatAuth(chal, 'challenge'),
      'Digest realm="ims.test", nonce="abc=", qop="auth,auth-int", algorithm=MD5, stale=FALSE',
    );
    assert.equal(m.first(P_PREFERRED_IDENTITY), undefined);
  });

  it('keeps unknown headers byte-exact, folds included', () => {
    const lines = [
      ...REGISTER.slice(0, 7),
      'X-Odd-Header :  a,,b;;c  ',
      'x-folded: one',
      '   two',
      'Content-Length: 0',
    ];
    const m = parseMessage(msg(lines));
    const out = m.toBuffer().toString();
    assert.ok(out.includes('\r\nX-Odd-Header :  a,,b;;c  \r\n'));
    assert.ok(out.includes('\r\nx-folded: one\r\n   two\r\n'));
    assert.equal(m.headers.get('X-FOLDED'), 'one two');
    assert.equal(out, msg(lines).toString());
  });

  it('compact and long forms are the same header, any case', () => {
    const m = parseMessage(
      msg([
        'OPTIONS sip:a@b SIP/2.0',
        'v: SIP/2.0/TCP h;branch=z9hG4bK1',
        'f: <sip:x@y>;tag=1',
        't: sip:a@b',
        'i: id',
        'CSEQ: 1 OPTIONS',
        'l: 0',
        'k: 100rel',
        'SUPPORTED: timer',
      ]),
    );
    assert.equal(m.callId, 'id');
    assert.equal(m.headers.get('call-id'), 'id');
    assert.deepEqual(m.all(SUPPORTED), ['100rel', 'timer']);
    assert.equal(m.topVia.transport, 'TCP');
  });

  it('splits lists only on separating commas', () => {
    const h = Headers.from([
      ['Contact', '"Doe, John" <sip:j@d;x=1,2>;q=0.5, <sip:k@d>'],
      ['Authorization', 'Digest a="1,2", b=3'],
      ['X-Custom', 'a, b'],
    ]);
    assert.deepEqual(h.values('Contact'), ['"Doe, John" <sip:j@d;x=1,2>;q=0.5', '<sip:k@d>']);
    assert.deepEqual(h.values('Authorization'), ['Digest a="1,2", b=3']);
    assert.deepEqual(h.values('X-Custom'), ['a, b']);
  });

  it('prepend and shift work on the top value, as a proxy needs', () => {
    const m = parseMessage(
      msg([...REGISTER.slice(0, 7), 'Route: <sip:p1;lr>, <sip:p2;lr>', 'Content-Length: 0']),
    );
    m.headers.prepend('Via', 'SIP/2.0/UDP proxy:5060;branch=z9hG4bKp');
    assert.equal(m.vias.length, 2);
    assert.equal(m.topVia.host, 'proxy');
    assert.equal(m.headers.shift('Route'), '<sip:p1;lr>');
    assert.equal(m.routes.length, 1);
    assert.equal(m.routes[0]?.uriText, 'sip:p2;lr');
    const again = parseMessage(m.toBuffer());
    assert.equal(again.vias[1]?.host, '10.0.0.1');
    assert.equal(again.routes[0]?.uriText, 'sip:p2;lr');
  });

  it('sets Content-Length to the body on serialization', () => {
    const m = parseMessage(msg([...REGISTER.slice(0, 7)]));
    m.body = Buffer.from('hello');
    assert.match(m.toString(), /\r\nContent-Length: 5\r\n\r\nhello$/);
  });

  it('accepts bare LF line ends', () => {
    const m = parseMessage(Buffer.from(`${REGISTER.join('\n')}\n\n`));
    assert.equal(m.callId, 'apb03a0s09dkjdfglkj49111');
  });

  it('rejects with reasons a 400 can carry', () => {
    const cases: [string[], RegExp][] = [
      [['INVITE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP'], /Bad Via header/],
      [['INVITE sip:a@b SIP/2.0', 'CSeq: x INVITE'], /Bad CSeq header/],
      [['INVITE sip:a@b SIP/2.0', 'Max-Forwards: 256'], /Bad Max-Forwards header/],
      [['INVITE sip:a@b SIP/2.0', 'From: "unterminated <sip:a@b>'], /Bad From header/],
      [['INVITE sip:a@b SIP/2.0', 'no colon here'], /Bad header line/],
      [['INVITE sip:a@b SIP/2.0', ' folded first'], /continuation/],
      [['INVITE  sip:a@b SIP/2.0'], /Bad Request-Line/],
      [['INVITE sip:a@b SIP/2.0 '], /Bad Request-Line/],
      [['INVITE sip:a@b HTTP/1.1'], /Bad SIP version/],
    ];
    for (const [lines, re] of cases) {
      assert.throws(
        () => parseMessage(msg(complete(lines))),
        (e: unknown) => e instanceof SipParseError && re.test(e.reason),
        lines.join(' | '),
      );
    }
  });

  it('a bad header line still leaves the well-formed lines for the 400', () => {
    assert.throws(
      () => parseMessage(msg(complete(['OPTIONS sip:a@b SIP/2.0', 'no colon here', 'Call-ID: kept']))),
      (e: unknown) =>
        e instanceof SipParseError &&
        e.kind === 'request' &&
        e.headers?.get('Call-ID') === 'kept' &&
        e.headers.has('Via') &&
        !e.headers.has('no colon here'),
    );
  });

  it('RFC 3261 §8.1.1: names every missing mandatory header; §7.3.1: refuses a repeated one', () => {
    assert.throws(
      () =>
        parseMessage(
          msg(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'CSeq: 1 OPTIONS']),
        ),
      (e: unknown) => e instanceof SipParseError && e.reason === 'Missing To, From, Call-ID headers',
    );
    assert.throws(
      () => parseMessage(msg(complete(['OPTIONS sip:a@b SIP/2.0', 'i: one', 'Call-ID: two']))),
      (e: unknown) => e instanceof SipParseError && e.reason === 'Multiple Call-ID headers',
    );
  });

  it('refuses control characters in the header section, except escaped in a quoted-pair (RFC 3261 §25.1)', () => {
    const head = (subject: string) =>
      complete([
        'MESSAGE sip:a@b SIP/2.0',
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
        'From: <sip:a@b>;tag=1',
        'To: <sip:a@b>',
        'Call-ID: c',
        'CSeq: 1 MESSAGE',
        `Subject: ${subject}`,
      ]);
    assert.throws(() => parseMessage(msg(head('a\x00b'))), /control character/);
    assert.throws(() => parseMessage(msg(head('a\x1bb'))), /control character/);
    assert.equal(parseMessage(msg(head('"a\\\x00b"'))).headers.get('Subject'), '"a\\\x00b"');
    assert.equal(parseMessage(msg(head('a\tb'))).headers.get('Subject'), 'a\tb');
  });

  it('frames datagram bodies by Content-Length', () => {
    const head = complete([
      'MESSAGE sip:a@b SIP/2.0',
      'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
      'Content-Length: 3',
    ]);
    assert.equal(parseMessage(msg(head, 'abcdef')).body.toString(), 'abc');
    assert.throws(() => parseMessage(msg(head, 'ab')), /Content-Length larger than body/);
    assert.throws(
      () => parseMessage(msg(complete(['MESSAGE sip:a@b SIP/2.0', 'Content-Length: -1']))),
      /Bad Content-Length/,
    );
  });

  it('requires Content-Length on streams', () => {
    assert.throws(
      () =>
        parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/TCP h;branch=z9hG4bK1']), {
          stream: true,
        }),
      /Missing Content-Length/,
    );
  });

  it('keeps invalid UTF-8 in headers byte-exact', () => {
    const raw = Buffer.concat([
      Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nFrom: "'),
      Buffer.from([0xe9, 0x74, 0xe9]),
      Buffer.from(
        '" <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      ),
    ]);
    const m = parseMessage(raw);
    assert.equal(m.headerEncoding, 'latin1');
    assert.ok(m.toBuffer().equals(raw));
  });
});

describe('serialization (SipMessage.toBuffer)', () => {
  it('writes header sections of any size byte for byte, and the same bytes twice', () => {
    const big = 'x'.repeat(20_000);
    const raw = Buffer.from(
      `OPTIONS sip:bob@ims.test SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKbig\r\nFrom: <sip:a@ims.test>;tag=1\r\nTo: <sip:bob@ims.test>\r\nCall-ID: big@192.0.2.1\r\nCSeq: 1 OPTIONS\r\nX-Big: ${big}\r\nX-Folded: one\r\n two\r\nX-Uni: caf\u00e9 \u2603\r\nContent-Length: 4\r\n\r\nbody`,
    );
    const m = parseMessage(raw, { stream: true });
    assert.ok(m.toBuffer().equals(raw));
    m.headers.append('X-Added', '\u00e9t\u00e9');
    const twice = [m.toBuffer(), m.toBuffer()];
    assert.ok(twice[0]!.equals(twice[1]!));
    assert.ok(twice[0]!.toString('utf8').endsWith('Content-Length: 4\r\nX-Added: \u00e9t\u00e9\r\n\r\nbody'));
  });
});
