// tshark (Wireshark's dissector) reads a live capture of CER/CEA, DWR/DWA, every command (request
// and answer) of Cx, Sh, Rx and Rf exchanged between two of our nodes, an error answer and
// DPR/DPA on loopback, and finds every command code as request and answer, no malformed packet
// and no expert warning in them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CxApplication, ReasonCode, ServerAssignmentType } from '../../../src/diameter/apps/cx.ts';
import { AccountingRecordType, SubscriptionIdType } from '../../../src/diameter/apps/generated/base-types.ts';
import { AbortCause, SpecificAction } from '../../../src/diameter/apps/generated/rx-types.ts';
import { SubsReqType } from '../../../src/diameter/apps/generated/sh-types.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { NodeFunctionality, RfApplication, RoleOfNode } from '../../../src/diameter/apps/rf.ts';
import { FlowStatus, MediaType, RxApplication } from '../../../src/diameter/apps/rx.ts';
import { DataReference, ShApplication } from '../../../src/diameter/apps/sh.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { node, waitFor } from '../helpers/nodes.ts';

const installed = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ims-tshark-'));
after(() => process.env.KEEP_PCAP || rmSync(dir, { recursive: true, force: true }));

/** Command codes of Cx (300-305), Sh (306-309), Rx (265 AA, 258 RA, 275 ST, 274 AS), Rf (271). */
const APP_COMMANDS = ['300', '301', '302', '303', '304', '305', '306', '307', '308', '309'].concat([
  '265',
  '258',
  '275',
  '274',
  '271',
]);
const BASE_COMMANDS = ['257', '280', '282'];
const OK = { resultCode: ResultCode.DIAMETER_SUCCESS };
const xml = (root: string) =>
  Buffer.from(`<?xml version="1.0"?><${root}><PrivateID>alice@ims.test</PrivateID></${root}>`);

describe('tshark decodes our Diameter', {
  skip: installed ? false : 'tshark is not installed (apt-get install tshark)',
}, () => {
  it('a capture of every Cx, Sh, Rx and Rf command both ways, CER/CEA, DWR/DWA, an error answer and DPR/DPA has no malformed frame', async () => {
    const hss = node({ originHost: 'hss.ims.test', applications: [], peers: [{ host: 'scscf.ims.test' }] });
    const hssCx = new CxApplication(hss);
    const hssSh = new ShApplication(hss);
    const pcrf = new RxApplication(hss);
    const cdf = new RfApplication(hss);
    await hss.start();
    const port = hss.port;
    const pcap = join(dir, 'diameter.pcap');
    let brokenPort = 0;
    let stderr = '';
    const capture: ChildProcess = spawn(
      'tshark',
      ['-i', 'lo', '-f', `tcp port ${port}`, '-w', pcap, '-a', 'duration:60'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    capture.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await waitFor(() => /Capturing on/.test(stderr), 15_000, 'tshark to start capturing');
      // dumpcap reports "Capturing on" slightly before packets reach it: without a pause the
      // connection's CER/CEA can be missed.
      await new Promise((r) => setTimeout(r, 1000));
      // The HSS / PCRF / CDF side answers success to everything.
      hssCx.onUserAuthorization(() => ({
        ...experimentalResult(2001),
        serverName: 'sip:scscf.ims.test',
      }));
      hssCx.onMultimediaAuth((req) => ({
        ...OK,
        userName: req.userName,
        publicIdentity: req.publicIdentity,
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
      }));
      hssCx.onServerAssignment(() => ({
        ...OK,
        userName: 'alice@ims.test',
        userData: xml('IMSSubscription'),
        chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test:3871' },
      }));
      hssCx.onLocationInfo(() => ({ ...experimentalResult(2001), serverName: 'sip:scscf.ims.test' }));
      hssSh.onUserData(() => ({ ...OK, userData: xml('Sh-Data') }));
      hssSh.onProfileUpdate(() => OK);
      hssSh.onSubscribeNotifications(() => OK);
      pcrf.onAa(() => OK);
      pcrf.onSessionTermination(() => OK);
      cdf.onAccounting(() => OK);

      // The S-CSCF / AS / AF side answers the server-initiated requests.
      const scscf = node({
        originHost: 'scscf.ims.test',
        listen: undefined,
        applications: [],
        twInit: 100,
        peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port }],
      });
      const cx = new CxApplication(scscf);
      const sh = new ShApplication(scscf);
      const af = new RxApplication(scscf);
      const cscf = new RfApplication(scscf);
      cx.onRegistrationTermination(() => OK);
      cx.onPushProfile(() => OK);
      sh.onPushNotification(() => OK);
      af.onReAuth(() => OK);
      af.onAbortSession(() => OK);
      await scscf.start();
      const peer = await scscf.waitForPeer('hss.ims.test');
      await hss.waitForPeer('scscf.ims.test');
      await waitFor(() => peer.counters.dwaReceived >= 1, 5000, 'a DWA');

      const user = { userName: 'alice@ims.test', publicIdentity: 'sip:alice@ims.test' };
      const shUser = { userIdentity: { publicIdentity: 'sip:alice@ims.test' } };
      // Cx
      await cx.userAuthorization({ ...user, visitedNetworkIdentifier: Buffer.from('ims.test') });
      await cx.multimediaAuth({
        ...user,
        sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
        sipNumberAuthItems: 1,
        serverName: 'sip:scscf.ims.test',
      });
      await cx.serverAssignment({
        userName: 'alice@ims.test',
        publicIdentity: ['sip:alice@ims.test'],
        serverName: 'sip:scscf.ims.test',
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      });
      await cx.locationInfo({ publicIdentity: 'sip:alice@ims.test' });
      await hssCx.registrationTermination({
        destinationHost: 'scscf.ims.test',
        userName: 'alice@ims.test',
        deregistrationReason: { reasonCode: ReasonCode.PERMANENT_TERMINATION, reasonInfo: 'bye' },
      });
      await hssCx.pushProfile({
        destinationHost: 'scscf.ims.test',
        userName: 'alice@ims.test',
        userData: xml('IMSSubscription'),
      });
      // Sh
      await sh.userData({ ...shUser, dataReference: [DataReference.RepositoryData] });
      await sh.profileUpdate({
        ...shUser,
        dataReference: DataReference.RepositoryData,
        userData: xml('Sh-Data'),
      });
      await sh.subscribeNotifications({
        ...shUser,
        subsReqType: SubsReqType.Subscribe,
        dataReference: [DataReference.RepositoryData],
      });
      await hssSh.pushNotification({
        ...shUser,
        destinationHost: 'scscf.ims.test',
        userData: xml('Sh-Data'),
      });
      // Rx
      const sessionId = af.newSessionId();
      await af.aa({
        sessionId,
        framedIpAddress: Buffer.from([10, 0, 0, 1]),
        subscriptionId: [
          {
            subscriptionIdType: SubscriptionIdType.END_USER_SIP_URI,
            subscriptionIdData: 'sip:alice@ims.test',
          },
        ],
        mediaComponentDescription: [
          {
            mediaComponentNumber: 1,
            mediaType: MediaType.AUDIO,
            flowStatus: FlowStatus.ENABLED,
            mediaSubComponent: [
              { flowNumber: 1, flowDescription: ['permit out 17 from 10.0.0.2 4000 to 10.0.0.1 5000'] },
            ],
          },
        ],
      });
      await pcrf.reAuth({
        sessionId,
        destinationHost: 'scscf.ims.test',
        specificAction: [SpecificAction.INDICATION_OF_LOSS_OF_BEARER],
      });
      await pcrf.abortSession({
        sessionId,
        destinationHost: 'scscf.ims.test',
        abortCause: AbortCause.BEARER_RELEASED,
      });
      await af.sessionTermination({ sessionId, terminationCause: 1 });
      // Rf
      await cscf.accounting({
        accountingRecordType: AccountingRecordType.EVENT_RECORD,
        accountingRecordNumber: 0,
        serviceContextId: '32260@3gpp.org',
        serviceInformation: {
          imsInformation: {
            eventType: { sipMethod: 'MESSAGE' },
            roleOfNode: RoleOfNode.ORIGINATING_ROLE,
            nodeFunctionality: NodeFunctionality['S-CSCF'],
            callingPartyAddress: ['sip:alice@ims.test'],
            calledPartyAddress: 'sip:bob@ims.test',
            timeStamps: { sipRequestTimestamp: new Date('2024-05-01T10:00:00Z') },
            imsChargingIdentifier: 'icid-1',
          },
        },
      });
      // An error answer: the HSS has no PNR handler, a 3001 answer with the E bit.
      await assert.rejects(
        sh.pushNotification({ ...shUser, destinationHost: 'hss.ims.test', userData: xml('Sh-Data') }),
      );
      await scscf.close();
      // A control: one deliberately broken message (an AVP longer than the message), which the
      // filter below must flag, so that an empty result means something.
      const raw = connect(port, '127.0.0.1');
      await once(raw, 'connect');
      brokenPort = raw.localPort!;
      const broken = Buffer.alloc(40);
      broken.writeUInt32BE(0x01000028, 0);
      broken.writeUInt32BE(0x80000101, 4);
      broken.writeUInt32BE(0x00000108, 20); // Origin-Host
      broken.writeUInt32BE(0x40000fff, 24); // M flag, length 4095
      // The node answers the broken CER (5014 CEA, RFC 6733 §7.1.5) before closing: read it, or
      // the socket never reaches 'end'.
      raw.resume();
      raw.end(broken);
      await once(raw, 'close');
      await hss.close();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      capture.kill('SIGINT');
      await new Promise((r) => capture.once('exit', r));
    }

    const read = (filter: string, fields = ['frame.number', 'diameter.cmd.code', '_ws.expert.message']) =>
      spawnSync(
        'tshark',
        ['-r', pcap, '-d', `tcp.port==${port},diameter`, '-Y', filter, '-T', 'fields']
          .concat(fields.flatMap((f) => ['-e', f]))
          .concat(['-E', 'occurrence=a', '-E', 'aggregator=,']),
        { encoding: 'utf8' },
      );
    // Every command code, as a request (R bit) and as an answer; a frame may carry several
    // messages, so the codes and flags are paired by position.
    const all = read(`diameter && tcp.port != ${brokenPort}`, [
      'diameter.cmd.code',
      'diameter.flags.request',
    ]);
    assert.equal(all.status, 0, all.stderr);
    const seen = new Set<string>();
    for (const line of all.stdout.split('\n').filter(Boolean)) {
      const [codes = '', flags = ''] = line.split('\t');
      const r = flags.split(',');
      codes.split(',').forEach((code, i) => {
        const request = r[i] === '1' || r[i] === 'True';
        seen.add(`${code}${request ? 'R' : 'A'}`);
      });
    }
    for (const code of [...BASE_COMMANDS, ...APP_COMMANDS]) {
      assert.ok(seen.has(`${code}R`), `request ${code} captured (seen: ${[...seen].sort().join(' ')})`);
      assert.ok(seen.has(`${code}A`), `answer ${code} captured (seen: ${[...seen].sort().join(' ')})`);
    }
    const flagged = '(_ws.malformed || (_ws.expert.severity >= "warning" && diameter))';
    const control = read(`${flagged} && tcp.srcport == ${brokenPort}`);
    assert.notEqual(control.stdout.trim(), '', 'the broken control message is flagged');
    // The node answers the control CER with a 5014 CEA whose Failed-AVP holds the offending AVP
    // header with an empty payload (RFC 6733 §7.1.5), which Wireshark flags too ("Data is empty"):
    // the control connection is left out both ways.
    const answer = read(`diameter.Result-Code == 5014 && tcp.dstport == ${brokenPort}`);
    assert.notEqual(answer.stdout.trim(), '', 'the broken control message is answered 5014');
    const bad = read(`${flagged} && tcp.port != ${brokenPort}`);
    assert.equal(bad.status, 0, bad.stderr);
    assert.equal(bad.stdout.trim(), '', `malformed or flagged frames:\n${bad.stdout}`);
  });
});
