// Micro-benchmark of the Diameter codec: encode + decode of a Cx UAR and of an SAA carrying a user
// profile (User-Data). Run: node --import tsx bench/diameter-codec.ts [seconds-per-case]

import type { MessageInit } from '../src/diameter/codec/message.ts';
import { decodeMessage } from '../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../src/diameter/codec/message-encoder.ts';
import { createStandardDictionary } from '../src/diameter/dictionary/standard.ts';

const dict = createStandardDictionary();
const seconds = Number(process.argv[2] ?? 2);
const VSAI = { vendorId: 10415, authApplicationId: 16777216 };

const uar: MessageInit = {
  header: { flags: 0xc0, commandCode: 300, applicationId: 16777216, hopByHopId: 1, endToEndId: 1 },
  avps: {
    sessionId: 'icscf.ims.test;1700000000;42',
    vendorSpecificApplicationId: VSAI,
    authSessionState: 1,
    originHost: 'icscf.ims.test',
    originRealm: 'ims.test',
    destinationRealm: 'ims.test',
    userName: 'alice@ims.test',
    publicIdentity: 'sip:alice@ims.test',
    visitedNetworkIdentifier: Buffer.from('ims.test'),
    userAuthorizationType: 0,
  },
};

// A realistic user profile (TS 29.228 Annex E): one service profile, three public identities, two iFCs.
const ifc = (priority: number, method: string) =>
  `<InitialFilterCriteria><Priority>${priority}</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>${method}</Method></SPT><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><SessionCase>0</SessionCase></SPT></TriggerPoint><ApplicationServer><ServerName>sip:as.ims.test:5080</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>`;
const userData = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>alice@ims.test</PrivateID><ServiceProfile>${['sip:alice@ims.test', 'tel:+15551230001', 'sip:+15551230001@ims.test;user=phone'].map((i) => `<PublicIdentity><BarringIndication>0</BarringIndication><Identity>${i}</Identity></PublicIdentity>`).join('')}${ifc(0, 'INVITE')}${ifc(1, 'MESSAGE')}</ServiceProfile></IMSSubscription>`,
);

const saa: MessageInit = {
  header: { flags: 0x40, commandCode: 301, applicationId: 16777216, hopByHopId: 2, endToEndId: 2 },
  avps: {
    sessionId: 'scscf.ims.test;1700000000;43',
    vendorSpecificApplicationId: VSAI,
    resultCode: 2001,
    authSessionState: 1,
    originHost: 'hss.ims.test',
    originRealm: 'ims.test',
    userName: 'alice@ims.test',
    userData,
    chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test:3871' },
  },
};

function run(name: string, message: MessageInit): void {
  const size = encodeMessage(message, dict).length;
  // Warm-up, then timed batches.
  for (let i = 0; i < 5000; i++) decodeMessage(encodeMessage(message, dict), dict);
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) decodeMessage(encodeMessage(message, dict), dict);
    n += 1000;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const rate = n / elapsed;
  console.log(
    `${name.padEnd(22)} ${String(size).padStart(5)} bytes  ${Math.round(rate).toLocaleString('en').padStart(9)} encode+decode/s  ${((1e6 / rate) | 0).toString().padStart(4)} µs each`,
  );
}

console.log(
  `Diameter codec micro-benchmark, Node ${process.version} (${process.arch}), ${seconds} s per case`,
);
run('UAR', uar);
run('SAA with User-Data', saa);
