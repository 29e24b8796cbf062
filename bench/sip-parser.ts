/**
 * SIP message parser micro-benchmark: parse + serialize of a typical IMS INVITE (SDP body,
 * ~15 headers) and REGISTER, on one core. Target (issue #2): >= 150,000 INVITE/s.
 * Run: node --import tsx bench/sip-parser.ts
 */
import { parseMessage, type SipRequest } from '../src/sip/message/index.ts';

const SDP = [
  'v=0',
  'o=- 1027933615 1027933615 IN IP4 10.0.0.1',
  's=-',
  'c=IN IP4 10.0.0.1',
  't=0 0',
  'm=audio 49152 RTP/AVP 116 107 97 111 110',
  'b=AS:41',
  'a=rtpmap:116 AMR-WB/16000/1',
  'a=fmtp:116 mode-change-capability=2;max-red=0',
  'a=rtpmap:107 AMR/8000/1',
  'a=rtpmap:111 telephone-event/16000',
  'a=fmtp:111 0-15',
  'a=curr:qos local none',
  'a=curr:qos remote none',
  'a=des:qos mandatory local sendrecv',
  'a=des:qos optional remote sendrecv',
  'a=sendrecv',
  '',
].join('\r\n');

const INVITE = Buffer.from(
  [
    'INVITE tel:+15551230002 SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1a2b3c4d;rport',
    'Max-Forwards: 70',
    'Route: <sip:10.0.0.10:5060;lr>, <sip:orig@scscf.ims.test:6060;lr>',
    'From: "Alice" <sip:alice@ims.test>;tag=a7f3b2',
    'To: <tel:+15551230002>',
    'Call-ID: 3c26700a-5f7e-4b1a-8e4e-92d2f0a1c0de@10.0.0.1',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@10.0.0.1:5060;transport=udp>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    'P-Preferred-Identity: <sip:alice@ims.test>',
    'P-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=001010001000019B',
    'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    'Allow: INVITE, ACK, OPTIONS, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, MESSAGE, PRACK',
    'Supported: 100rel, timer, precondition, replaces',
    'Require: sec-agree',
    'Session-Expires: 1800',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n'),
);

const REGISTER = Buffer.from(
  [
    'REGISTER sip:ims.test SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds7;rport',
    'Max-Forwards: 70',
    'From: <sip:alice@ims.test>;tag=4fa3',
    'To: <sip:alice@ims.test>',
    'Call-ID: apb03a0s09dkjdfglkj49111',
    'CSeq: 2 REGISTER',
    'Contact: <sip:alice@10.0.0.1:5060>;expires=600000;+sip.instance="<urn:gsma:imei:35808310-001234-0>";reg-id=1',
    'Authorization: Digest username="alice@ims.test", realm="ims.test", nonce="A34Cm+Fva37UYWpGNB34JP", uri="sip:ims.test", response="6629fae49393a05397450978507c4ef1", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="0a4f113b"',
    'Supported: path, gruu, sec-agree',
    'P-Access-Network-Info: 3GPP-E-UTRAN-FDD;utran-cell-id-3gpp=001010001000019B',
    'Expires: 600000',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);

function measure(name: string, fn: () => void, seconds = 1.5): number {
  for (let i = 0; i < 20000; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = process.hrtime.bigint();
  }
  const rate = n / (Number(now - start) / 1e9);
  console.log(`  ${name.padEnd(48)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} msg/s`);
  return rate;
}

function runSipParserBench(): { inviteRate: number } {
  console.log(`SIP message parser (Node ${process.version}, one core)`);
  const inviteRate = measure('INVITE parse + serialize', () => {
    parseMessage(INVITE).toBuffer();
  });
  measure('REGISTER parse + serialize', () => {
    parseMessage(REGISTER).toBuffer();
  });
  measure('INVITE proxy hop (parse, Via, MF, Route, serialize)', () => {
    const m = parseMessage(INVITE) as SipRequest;
    m.headers.prepend('Via', 'SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKproxy1');
    m.headers.set('Max-Forwards', String((m.maxForwards ?? 70) - 1));
    m.headers.shift('Route');
    m.toBuffer();
  });
  measure('INVITE parse only', () => {
    parseMessage(INVITE);
  });
  const target = 150_000;
  console.log(
    `  target: ${target.toLocaleString('en-US')} INVITE/s -> ${inviteRate >= target ? 'met' : 'NOT met'} (${(inviteRate / target).toFixed(2)}x)`,
  );
  return { inviteRate };
}

runSipParserBench();
