// Micro-benchmark of the Diameter codec: encode + decode of Cx UAR, MAR/MAA (with an AKA vector),
// SAR/SAA (the SAA carrying a user profile, User-Data); then request/answer round trips per second
// between two of our nodes on loopback (UAR/UAA, 64 outstanding).
// Run: node --import tsx bench/diameter-codec.ts [seconds-per-case]

import { CxApplication } from '../src/diameter/apps/cx.ts';
import { experimentalResult } from '../src/diameter/apps/result.ts';
import type { MessageInit } from '../src/diameter/codec/message.ts';
import { decodeMessage } from '../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../src/diameter/codec/message-encoder.ts';
import { createStandardDictionary } from '../src/diameter/dictionary/standard.ts';
import { DiameterNode } from '../src/diameter/node.ts';

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

const mar: MessageInit = {
  header: { flags: 0xc0, commandCode: 303, applicationId: 16777216, hopByHopId: 3, endToEndId: 3 },
  avps: {
    sessionId: 'scscf.ims.test;1700000000;44',
    vendorSpecificApplicationId: VSAI,
    authSessionState: 1,
    originHost: 'scscf.ims.test',
    originRealm: 'ims.test',
    destinationRealm: 'ims.test',
    userName: 'alice@ims.test',
    publicIdentity: 'sip:alice@ims.test',
    sipNumberAuthItems: 1,
    sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
    serverName: 'sip:scscf.ims.test',
  },
};

const maa: MessageInit = {
  header: { flags: 0x40, commandCode: 303, applicationId: 16777216, hopByHopId: 3, endToEndId: 3 },
  avps: {
    sessionId: 'scscf.ims.test;1700000000;44',
    vendorSpecificApplicationId: VSAI,
    resultCode: 2001,
    authSessionState: 1,
    originHost: 'hss.ims.test',
    originRealm: 'ims.test',
    userName: 'alice@ims.test',
    publicIdentity: 'sip:alice@ims.test',
    sipNumberAuthItems: 1,
    sipAuthDataItem: [
      {
        sipItemNumber: 1,
        sipAuthenticationScheme: 'Digest-AKAv1-MD5',
        sipAuthenticate: Buffer.alloc(32, 0xab),
        sipAuthorization: Buffer.alloc(16, 0xcd),
        confidentialityKey: Buffer.alloc(16, 1),
        integrityKey: Buffer.alloc(16, 2),
      },
    ],
  },
};

const sar: MessageInit = {
  header: { flags: 0xc0, commandCode: 301, applicationId: 16777216, hopByHopId: 2, endToEndId: 2 },
  avps: {
    sessionId: 'scscf.ims.test;1700000000;43',
    vendorSpecificApplicationId: VSAI,
    authSessionState: 1,
    originHost: 'scscf.ims.test',
    originRealm: 'ims.test',
    destinationRealm: 'ims.test',
    destinationHost: 'hss.ims.test',
    userName: 'alice@ims.test',
    publicIdentity: ['sip:alice@ims.test'],
    serverName: 'sip:scscf.ims.test',
    serverAssignmentType: 1,
    userDataAlreadyAvailable: 0,
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
run('MAR', mar);
run('MAA (1 AKA vector)', maa);
run('SAR', sar);
run('SAA with User-Data', saa);

/** UAR/UAA round trips between two nodes on loopback, `window` requests outstanding. */
async function roundTrips(window: number): Promise<void> {
  const common = { originRealm: 'ims.test', applications: [] };
  const hss = new DiameterNode({
    ...common,
    originHost: 'hss.ims.test',
    listen: { address: '127.0.0.1', port: 0 },
    peers: [{ host: 'icscf.ims.test' }],
  });
  new CxApplication(hss).onUserAuthorization(() => ({
    ...experimentalResult(2001),
    serverName: 'sip:scscf.ims.test',
  }));
  await hss.start();
  const icscf = new DiameterNode({
    ...common,
    originHost: 'icscf.ims.test',
    peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
  });
  const cx = new CxApplication(icscf);
  await icscf.start();
  await icscf.waitForPeer('hss.ims.test');
  const uar = () =>
    cx.userAuthorization({
      userName: 'alice@ims.test',
      publicIdentity: 'sip:alice@ims.test',
      visitedNetworkIdentifier: Buffer.from('ims.test'),
    });
  let done = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      await uar();
      done++;
    }
  };
  // Warm-up, then the timed run.
  for (let i = 0; i < 2000; i++) await uar();
  const start = process.hrtime.bigint();
  const timer = setTimeout(() => {
    stop = true;
  }, seconds * 2500);
  await Promise.all(Array.from({ length: window }, worker));
  clearTimeout(timer);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `UAR/UAA round trips, 2 nodes on loopback TCP, ${window} outstanding: ${Math.round(done / elapsed).toLocaleString('en')}/s (${done.toLocaleString('en')} in ${elapsed.toFixed(1)} s)`,
  );
  await icscf.close();
  await hss.close();
}

await roundTrips(64);
