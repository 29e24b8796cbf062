import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatSdp, otherAttributes, parseSdp } from '../../../src/sip/message/body/sdp.ts';
import { SipParseError } from '../../../src/sip/message/errors.ts';

const sdp = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

// A VoLTE (GSMA IR.92 style) offer: AMR-WB and AMR in both payload formats, DTMF at both
// clock rates, b=AS/RS/RR, and RFC 3312 preconditions not yet met.
const VOLTE_OFFER = sdp(
  'v=0',
  'o=rue 3462 3463 IN IP6 2001:db8:1::10',
  's=-',
  'c=IN IP6 2001:db8:1::10',
  'b=AS:41',
  'b=RS:0',
  'b=RR:0',
  't=0 0',
  'm=audio 49152 RTP/AVP 116 107 118 96 111 110',
  'b=AS:41',
  'b=RS:600',
  'b=RR:2000',
  'a=rtpmap:116 AMR-WB/16000/1',
  'a=fmtp:116 mode-change-capability=2;max-red=0',
  'a=rtpmap:107 AMR-WB/16000/1',
  'a=fmtp:107 octet-align=1;mode-change-capability=2;max-red=0',
  'a=rtpmap:118 AMR/8000/1',
  'a=fmtp:118 mode-change-capability=2;max-red=0',
  'a=rtpmap:96 AMR/8000/1',
  'a=fmtp:96 octet-align=1;mode-change-capability=2;max-red=0',
  'a=rtpmap:111 telephone-event/16000',
  'a=fmtp:111 0-15',
  'a=rtpmap:110 telephone-event/8000',
  'a=fmtp:110 0-15',
  'a=ptime:20',
  'a=maxptime:240',
  'a=curr:qos local none',
  'a=curr:qos remote none',
  'a=des:qos mandatory local sendrecv',
  'a=des:qos optional remote sendrecv',
  'a=sendrecv',
);

// The answer, asking for confirmation (RFC 3312 §5.1).
const VOLTE_ANSWER = sdp(
  'v=0',
  'o=mt 1027 1027 IN IP4 198.51.100.7',
  's=-',
  't=0 0',
  'm=audio 30000 RTP/AVP 116 111',
  'c=IN IP4 198.51.100.7',
  'b=AS:41',
  'a=rtpmap:116 AMR-WB/16000/1',
  'a=fmtp:116 mode-change-capability=2;max-red=0',
  'a=rtpmap:111 telephone-event/16000',
  'a=fmtp:111 0-15',
  'a=curr:qos local sendrecv',
  'a=curr:qos remote none',
  'a=des:qos mandatory local sendrecv',
  'a=des:qos mandatory remote sendrecv',
  'a=conf:qos remote sendrecv',
  'a=sendrecv',
);

// A softphone (baresip / linphone style) G.711 offer with RTCP port and an unknown attribute.
const SOFTPHONE_OFFER = sdp(
  'v=0',
  'o=- 1398473853 2396588034 IN IP4 192.168.1.20',
  's=Talk',
  'c=IN IP4 192.168.1.20',
  't=0 0',
  'a=record:off',
  'm=audio 7078 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtcp:7079',
  'a=rtcp-fb:* trr-int 1000',
  'a=sendrecv',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
);

const sortedLines = (s: string) => s.split('\r\n').sort();

describe('parseSdp / formatSdp', () => {
  it('reads a VoLTE offer: origin, c=, b=, m= port and payloads, codecs, preconditions', () => {
    const s = parseSdp(VOLTE_OFFER);
    assert.equal(s.origin.username, 'rue');
    assert.equal(s.origin.address, '2001:db8:1::10');
    assert.deepEqual(s.connection, { version: 6, ip: '2001:db8:1::10' });
    assert.deepEqual(
      s.bandwidth?.map((b) => `${b.type}:${b.limit}`),
      ['AS:41', 'RS:0', 'RR:0'],
    );
    const m = s.media[0]!;
    assert.equal(m.type, 'audio');
    assert.equal(m.port, 49152);
    assert.equal(m.protocol, 'RTP/AVP');
    assert.equal(m.payloads, '116 107 118 96 111 110');
    assert.deepEqual(
      m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`),
      [
        '116 AMR-WB/16000',
        '107 AMR-WB/16000',
        '118 AMR/8000',
        '96 AMR/8000',
        '111 telephone-event/16000',
        '110 telephone-event/8000',
      ],
    );
    assert.equal(
      m.fmtp.find((f) => f.payload === 107)?.config,
      'octet-align=1;mode-change-capability=2;max-red=0',
    );
    assert.deepEqual(
      m.bandwidth?.map((b) => `${b.type}:${b.limit}`),
      ['AS:41', 'RS:600', 'RR:2000'],
    );
    assert.equal(m.ptime, 20);
    assert.equal(m.maxptime, 240);
    assert.equal(m.direction, 'sendrecv');
    assert.deepEqual(otherAttributes(m, 'curr'), ['qos local none', 'qos remote none']);
    assert.deepEqual(otherAttributes(m, 'des'), [
      'qos mandatory local sendrecv',
      'qos optional remote sendrecv',
    ]);
    assert.deepEqual(otherAttributes(m, 'conf'), []);
  });

  it('reads a=conf in an answer with a media-level c=', () => {
    const m = parseSdp(VOLTE_ANSWER).media[0]!;
    assert.deepEqual(m.connection, { version: 4, ip: '198.51.100.7' });
    assert.equal(m.port, 30000);
    assert.deepEqual(otherAttributes(m, 'conf'), ['qos remote sendrecv']);
  });

  for (const [name, text] of [
    ['VoLTE offer', VOLTE_OFFER],
    ['VoLTE answer', VOLTE_ANSWER],
    ['softphone offer', SOFTPHONE_OFFER],
  ] as const) {
    it(`round-trips the ${name}: same object, same lines, c= and m= ports intact`, () => {
      const parsed = parseSdp(text);
      const out = formatSdp(parsed);
      assert.ok(out.endsWith('\r\n') && !out.includes('\n\n'));
      assert.deepEqual(parseSdp(out), parseSdp(text));
      assert.deepEqual(sortedLines(out), sortedLines(text));
      const mLines = out.split('\r\n').filter((l) => l.startsWith('m=') || l.startsWith('c='));
      assert.deepEqual(
        mLines,
        text.split('\r\n').filter((l) => l.startsWith('m=') || l.startsWith('c=')),
      );
    });
  }

  it('softphone offer: G.711, DTMF, rtcp port, disabled video stream, unknown session attribute', () => {
    const s = parseSdp(SOFTPHONE_OFFER);
    assert.equal(s.name, 'Talk');
    assert.deepEqual(otherAttributes(s, 'record'), ['off']);
    const [audio, video] = s.media;
    assert.equal(audio?.port, 7078);
    assert.equal(audio?.rtcp?.port, 7079);
    assert.deepEqual(
      audio?.rtp.map((r) => r.codec),
      ['PCMU', 'PCMA', 'telephone-event'],
    );
    assert.equal(video?.port, 0);
  });

  it('changing the object changes the body', () => {
    const s = parseSdp(VOLTE_OFFER);
    s.media[0]!.port = 50000;
    s.connection = { version: 4, ip: '203.0.113.5' };
    s.origin.sessionVersion += 1;
    const out = formatSdp(s);
    assert.match(out, /\r\nm=audio 50000 RTP\/AVP 116 107 118 96 111 110\r\n/);
    assert.match(out, /\r\nc=IN IP4 203\.0\.113\.5\r\n/);
    assert.match(out, /\r\no=rue 3462 3464 IN IP6 2001:db8:1::10\r\n/);
  });

  it('keeps a session version past 2^53 digit for digit', () => {
    const text = sdp(
      'v=0',
      'o=- 1 18446744073709551615 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
    );
    assert.equal(formatSdp(parseSdp(text)), text);
  });

  it('accepts the raw body bytes and LF line ends', () => {
    assert.equal(parseSdp(Buffer.from(VOLTE_OFFER)).media[0]?.port, 49152);
    assert.equal(parseSdp(VOLTE_OFFER.replaceAll('\r\n', '\n')).media[0]?.port, 49152);
  });

  it('refuses what is not SDP', () => {
    const cases: [string, RegExp][] = [
      ['', /missing v= line/],
      ['hello world', /missing v= line/],
      ['{"v":0}', /missing v= line/],
      ['INVITE sip:a@b SIP/2.0\r\nv=0\r\n', /missing v= line/],
      [sdp('v=1', 'o=- 1 1 IN IP4 1.2.3.4', 's=-'), /unsupported version/],
      [sdp('v=0', 's=-', 'c=IN IP4 1.2.3.4', 't=0 0'), /missing o= line/],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 'c=IN IP4 1.2.3.4', 't=0 0'), /missing s= line/],
      [sdp('v=0', 'o=garbage', 's=-'), /invalid o= line/],
      [
        sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0'),
        /no c= line for m=audio/,
      ],
      [
        sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4 1.2.3.4', 'm=audio x RTP/AVP 0'),
        /invalid m= line/,
      ],
      [
        sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4 1.2.3.4', 'm=audio 70000 RTP/AVP 0'),
        /invalid m= line/,
      ],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4', 'm=audio 4000 RTP/AVP 0'), /no c= line/],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'this is not sdp'), /not <type>=<value>/],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', '', 's=-'), /empty line/],
      [
        sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4 1.2.3.4', 'm=audio 1 RTP/AVP 0', 't=0 0'),
        /misplaced t=/,
      ],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 's=again'), /misplaced s=/],
      [sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 'v=0', 's=-'), /misplaced v=/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseSdp(text),
        (e: unknown) =>
          e instanceof SipParseError && reason.test(e.reason) && e.reason.startsWith('Bad SDP: '),
        JSON.stringify(text),
      );
    }
  });
});

describe('properties', () => {
  it('random input never throws anything but SipParseError', () => {
    // Well-formed lines must also survive a round trip; cut ones (`a=rtpmap:96 AMR/8000/`) need not.
    const check = (text: string, roundTrip = false) => {
      try {
        const s = parseSdp(text);
        if (roundTrip) assert.deepEqual(parseSdp(formatSdp(s)), parseSdp(text));
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => check(s)));
    // Real lines, shuffled, dropped, repeated and cut.
    const lines = [
      ...VOLTE_OFFER.split('\r\n'),
      ...SOFTPHONE_OFFER.split('\r\n'),
      'a=rtpmap:x',
      'm=audio',
      'c=IN',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...lines), { maxLength: 30 }), fc.nat(), (picked, cut) => {
        const text = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', ...picked].join('\r\n');
        check(text);
        check(text.slice(0, cut % (text.length + 1)));
      }),
      { numRuns: 2000 },
    );
  });
});
