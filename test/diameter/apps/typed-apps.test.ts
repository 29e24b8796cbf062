import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CxApplication,
  ReasonCode,
  ServerAssignmentType,
  UserAuthorizationType,
  UserDataAlreadyAvailable,
} from '../../../src/diameter/apps/cx.ts';
import {
  AccountingRecordType,
  AuthSessionState,
  SubscriptionIdType,
} from '../../../src/diameter/apps/generated/base-types.ts';
import { answerResult, experimentalResult } from '../../../src/diameter/apps/result.ts';
import { NodeFunctionality, RfApplication, RoleOfNode } from '../../../src/diameter/apps/rf.ts';
import { FlowStatus, MediaType, RxApplication } from '../../../src/diameter/apps/rx.ts';
import { DataReference, ShApplication } from '../../../src/diameter/apps/sh.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { ExperimentalResultCode, ResultCode } from '../../../src/diameter/result-code.ts';
import { node } from '../helpers/nodes.ts';

const ALL = [
  { id: 16777216, vendorId: 10415, kind: 'auth' as const },
  { id: 16777217, vendorId: 10415, kind: 'auth' as const },
  { id: 16777236, vendorId: 10415, kind: 'auth' as const },
  { id: 3, vendorId: 0, kind: 'acct' as const },
];

let hss: DiameterNode;
let scscf: DiameterNode;
let hssCx: CxApplication;
let scscfCx: CxApplication;

before(async () => {
  hss = node({ originHost: 'hss.ims.test', applications: [], peers: [{ host: 'scscf.ims.test' }] });
  hssCx = new CxApplication(hss);
  new ShApplication(hss);
  new RxApplication(hss);
  new RfApplication(hss);
  await hss.start();
  scscf = node({
    originHost: 'scscf.ims.test',
    applications: ALL,
    peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
  });
  scscfCx = new CxApplication(scscf);
  await scscf.start();
  await scscf.waitForPeer('hss.ims.test');
  await hss.waitForPeer('scscf.ims.test');
});

after(async () => {
  await scscf.close();
  await hss.close();
});

describe('typed applications over a real connection', () => {
  it('Cx UAR/UAA: typed request in, typed answer out, fixed AVPs filled', async () => {
    hssCx.onUserAuthorization((req) => {
      assert.equal(req.authSessionState, AuthSessionState.NO_STATE_MAINTAINED);
      assert.deepEqual(req.vendorSpecificApplicationId, { vendorId: 10415, authApplicationId: 16777216 });
      assert.equal(req.userAuthorizationType, UserAuthorizationType.REGISTRATION);
      return {
        ...experimentalResult(ExperimentalResultCode.DIAMETER_FIRST_REGISTRATION),
        serverCapabilities: { mandatoryCapability: [1, 2], serverName: ['sip:scscf.ims.test'] },
      };
    });
    const uaa = await scscfCx.userAuthorization({
      userName: 'alice@ims.test',
      publicIdentity: 'sip:alice@ims.test',
      visitedNetworkIdentifier: Buffer.from('ims.test'),
      userAuthorizationType: UserAuthorizationType.REGISTRATION,
    });
    assert.deepEqual(answerResult(uaa), { code: 2001, vendorId: 10415, success: true });
    assert.deepEqual(uaa.serverCapabilities?.mandatoryCapability, [1, 2]);
    assert.equal(uaa.originHost, 'hss.ims.test');
  });

  it('Cx MAR/MAA with SIP-Auth-Data-Item, SAR/SAA with User-Data', async () => {
    hssCx.onMultimediaAuth((req) => ({
      resultCode: ResultCode.DIAMETER_SUCCESS,
      userName: req.userName,
      publicIdentity: req.publicIdentity,
      sipNumberAuthItems: 1,
      sipAuthDataItem: [
        {
          sipItemNumber: 1,
          sipAuthenticationScheme: 'Digest-AKAv1-MD5',
          sipAuthenticate: Buffer.alloc(32, 1),
          sipAuthorization: Buffer.alloc(8, 2),
          confidentialityKey: Buffer.alloc(16, 3),
          integrityKey: Buffer.alloc(16, 4),
        },
      ],
    }));
    const maa = await scscfCx.multimediaAuth({
      userName: 'alice@ims.test',
      publicIdentity: 'sip:alice@ims.test',
      sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
      sipNumberAuthItems: 1,
      serverName: 'sip:scscf.ims.test',
    });
    assert.equal(maa.sipAuthDataItem?.[0]?.integrityKey?.length, 16);

    const xml =
      '<?xml version="1.0"?><IMSSubscription><PrivateID>alice@ims.test</PrivateID></IMSSubscription>';
    hssCx.onServerAssignment((req) => {
      assert.equal(req.serverAssignmentType, ServerAssignmentType.REGISTRATION);
      return { resultCode: 2001, userName: 'alice@ims.test', userData: Buffer.from(xml) };
    });
    const saa = await scscfCx.serverAssignment({
      userName: 'alice@ims.test',
      publicIdentity: ['sip:alice@ims.test'],
      serverName: 'sip:scscf.ims.test',
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: UserDataAlreadyAvailable.USER_DATA_NOT_AVAILABLE,
    });
    assert.equal(saa.userData?.toString(), xml);
  });

  it('Cx RTR from the HSS to the S-CSCF (server-initiated)', async () => {
    scscfCx.onRegistrationTermination((req) => {
      assert.equal(req.deregistrationReason.reasonCode, ReasonCode.PERMANENT_TERMINATION);
      return { resultCode: 2001 };
    });
    const rta = await hssCx.registrationTermination({
      destinationHost: 'scscf.ims.test',
      userName: 'alice@ims.test',
      deregistrationReason: { reasonCode: ReasonCode.PERMANENT_TERMINATION, reasonInfo: 'bye' },
    });
    assert.equal(rta.resultCode, 2001);
  });

  it('Sh UDR/UDA for repository data', async () => {
    const shHss = new ShApplication(hss);
    const shAs = new ShApplication(scscf);
    shHss.onUserData((req) => {
      assert.deepEqual(req.dataReference, [DataReference.RepositoryData]);
      return {
        resultCode: 2001,
        userData: Buffer.from(`<Sh-Data>${req.userIdentity.publicIdentity}</Sh-Data>`),
      };
    });
    const uda = await shAs.userData({
      userIdentity: { publicIdentity: 'sip:alice@ims.test' },
      dataReference: [DataReference.RepositoryData],
      serviceIndication: [Buffer.from('mmtel')],
    });
    assert.equal(uda.userData?.toString(), '<Sh-Data>sip:alice@ims.test</Sh-Data>');
  });

  it('Rx AAR/AAA then STR/STA on the same session', async () => {
    const pcrf = new RxApplication(hss);
    const af = new RxApplication(scscf);
    const sessions = new Set<string>();
    pcrf.onAa((req) => {
      sessions.add(req.sessionId);
      assert.equal(req.mediaComponentDescription?.[0]?.mediaType, MediaType.AUDIO);
      return { resultCode: 2001 };
    });
    pcrf.onSessionTermination((req) => {
      assert.ok(sessions.has(req.sessionId));
      return { resultCode: 2001 };
    });
    const sessionId = af.newSessionId();
    const aaa = await af.aa({
      sessionId,
      framedIpAddress: Buffer.from([10, 0, 0, 1]),
      subscriptionId: [
        { subscriptionIdType: SubscriptionIdType.END_USER_SIP_URI, subscriptionIdData: 'sip:alice@ims.test' },
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
    assert.equal(aaa.sessionId, sessionId);
    const sta = await af.sessionTermination({ sessionId, terminationCause: 1 });
    assert.equal(sta.resultCode, 2001);
  });

  it('Rf ACR/ACA (EVENT_RECORD with IMS-Information); the ACA echoes the record type and number', async () => {
    const cdf = new RfApplication(hss);
    const cscf = new RfApplication(scscf);
    cdf.onAccounting((req) => {
      const ims = req.serviceInformation?.imsInformation;
      assert.equal(ims?.nodeFunctionality, NodeFunctionality['S-CSCF']);
      assert.equal(ims?.eventType?.sipMethod, 'MESSAGE');
      return { resultCode: 2001 };
    });
    const aca = await cscf.accounting({
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
    assert.equal(aca.resultCode, 2001);
    assert.equal(aca.accountingRecordType, AccountingRecordType.EVENT_RECORD);
    assert.equal(aca.accountingRecordNumber, 0);
  });
});
