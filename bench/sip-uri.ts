/**
 * URI parser micro-benchmark: parses/second of typical IMS URIs on one core, parse only and
 * parse + read a parameter + serialize.
 * Run: node --import tsx bench/sip-uri.ts
 */
import { parseUri, type SipUri } from '../src/sip/message/uri.ts';

const CASES: [string, string][] = [
  ['Request-URI', 'sip:+491701234567@ims.mnc001.mcc262.3gppnetwork.org;user=phone'],
  ['Contact IPv6', 'sip:+491701234567@[2001:db8:1::10]:5060;transport=udp;ob'],
  ['Contact', 'sip:alice@192.0.2.10:49152;transport=tcp;ob;alias;rinstance=6f8f3c9b2ad13e51'],
  ['Record-Route', 'sip:pcscf.ims.test:5060;lr;ftag=a73kszlfl'],
  ['tel URI', 'tel:+49-170-1234567'],
];

function rate(fn: () => void, ms = 1000): number {
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let n = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) fn();
    n += 10_000;
    if (process.hrtime.bigint() - start >= budget) break;
  }
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

let sink = 0;
for (const [name, text] of CASES) {
  parseUri(text); // validates the case before timing it
  rate(() => {
    sink += parseUri(text).toString().length;
  }, 300); // warm-up
  const parse = rate(() => {
    sink += parseUri(text).toString().length;
  });
  const read = rate(() => {
    const u = parseUri(text);
    sink += ((u as SipUri).params?.size ?? 0) + u.toString().length;
  });
  console.log(
    `${name.padEnd(13)} ${Math.round(parse).toLocaleString('en').padStart(11)} parse+toString/s` +
      `  ${Math.round(read).toLocaleString('en').padStart(11)} with params read/s  (${text.length} chars)`,
  );
}
if (sink === 0) console.log('');
