/**
 * PNR/PNA over Diameter, TS 29.328 §6.1.4.1: the test node is the AS; it subscribes (SNR), a
 * change happens (PUR, SAR), and it receives the PNR. On every backend.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ServerAssignmentType as Sat } from '../../../src/diameter/apps/cx.ts';
import { answerResult, experimentalResult } from '../../../src/diameter/apps/result.ts';
import { DataReference, type PushNotificationRequest, SubsReqType } from '../../../src/diameter/apps/sh.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { backends, HSS_HOST, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { impu, repositoryXml, sar, subscriber } from './helpers/hss-subscribers.ts';

for (const backend of backends()) {
  describe(`Sh PNR (${backend.name})`, () => {
    const env = useEnv(backend);
    const received: PushNotificationRequest[] = [];
    let answer: () => object = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
    let waiting: ((pnr: PushNotificationRequest) => void) | undefined;
    before(() =>
      env.sh.onPushNotification((req) => {
        received.push(req);
        waiting?.(req);
        return answer() as never;
      }),
    );
    /** The next PNR for `identity` (after `action`), or a failure after 3 s. */
    const nextPnr = (identity: string, action: () => Promise<unknown>) =>
      new Promise<PushNotificationRequest>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no PNR for ${identity}`)), 3000);
        waiting = (pnr) => {
          if (pnr.userIdentity.publicIdentity !== identity) return;
          clearTimeout(timer);
          waiting = undefined;
          resolve(pnr);
        };
        action().catch(reject);
      });
    const subscribe = (identity: string, dataReference: number[], extra: Record<string, unknown> = {}) =>
      env.sh.subscribeNotifications({
        userIdentity: { publicIdentity: identity },
        subsReqType: SubsReqType.Subscribe,
        dataReference,
        ...extra,
      });
    const pur = (identity: string, userData: Buffer) =>
      env.sh.profileUpdate({
        userIdentity: { publicIdentity: identity },
        dataReference: DataReference.RepositoryData,
        userData,
      });

    it('SNR, then a PUR changes the repository data: the AS gets a PNR with the new data', async () => {
      await env.store.createSubscription(subscriber('pnr-a'));
      assert.equal(
        answerResult(await pur(impu('pnr-a'), repositoryXml('mmtel', 0, '<v>1</v>'))).success,
        true,
      );
      const sna = await subscribe(impu('pnr-a'), [DataReference.RepositoryData], {
        serviceIndication: [Buffer.from('mmtel')],
      });
      assert.equal(answerResult(sna).code, ResultCode.DIAMETER_SUCCESS);
      const pnr = await nextPnr(impu('pnr-a'), () =>
        pur(impu('pnr-a'), repositoryXml('mmtel', 1, '<v>2</v>')),
      );
      assert.equal(pnr.originHost, HSS_HOST);
      assert.equal(pnr.destinationHost, env.client.originHost);
      assert.equal(
        pnr.userData.toString(),
        '<?xml version="1.0" encoding="UTF-8"?><Sh-Data><RepositoryData><ServiceIndication>mmtel</ServiceIndication>' +
          '<SequenceNumber>1</SequenceNumber><ServiceData><v>2</v></ServiceData></RepositoryData></Sh-Data>',
      );
      // A delete is notified without ServiceData.
      const deleted = await nextPnr(impu('pnr-a'), () => pur(impu('pnr-a'), repositoryXml('mmtel', 2)));
      assert.match(deleted.userData.toString(), /<SequenceNumber>2<\/SequenceNumber><\/RepositoryData>/);
    });

    it('repository data of another Service-Indication is not notified', async () => {
      await env.store.createSubscription(subscriber('pnr-b'));
      await pur(impu('pnr-b'), repositoryXml('a', 0, '<a/>'));
      await subscribe(impu('pnr-b'), [DataReference.RepositoryData], {
        serviceIndication: [Buffer.from('a')],
      });
      const before = received.length;
      await pur(impu('pnr-b'), repositoryXml('b', 0, '<b/>'));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(received.length, before);
    });

    it('IMSUserState and S-CSCFName: the AS hears of a registration and a de-registration', async () => {
      await env.store.createSubscription(subscriber('pnr-c'));
      await subscribe(impu('pnr-c'), [DataReference.IMSUserState]);
      const registered = await nextPnr(impu('pnr-c'), () => sar(env.cx, 'pnr-c'));
      assert.match(
        registered.userData.toString(),
        /<Sh-IMS-Data><IMSUserState>1<\/IMSUserState><\/Sh-IMS-Data>/,
      );
      const gone = await nextPnr(impu('pnr-c'), () => sar(env.cx, 'pnr-c', Sat.USER_DEREGISTRATION));
      assert.match(gone.userData.toString(), /<IMSUserState>0<\/IMSUserState>/);

      await env.store.createSubscription(subscriber('pnr-d'));
      await subscribe(impu('pnr-d'), [DataReference['S-CSCFName']]);
      const named = await nextPnr(impu('pnr-d'), () => sar(env.cx, 'pnr-d'));
      assert.match(named.userData.toString(), new RegExp(`<S-CSCFName>${SCSCF_NAME}</S-CSCFName>`));
    });

    it('an AS answering DIAMETER_ERROR_NO_SUBSCRIPTION_TO_DATA loses its subscription', async () => {
      await env.store.createSubscription(subscriber('pnr-e'));
      await subscribe(impu('pnr-e'), [DataReference.IMSUserState]);
      answer = () => experimentalResult(E.DIAMETER_ERROR_NO_SUBSCRIPTION_TO_DATA);
      try {
        await nextPnr(impu('pnr-e'), () => sar(env.cx, 'pnr-e'));
        const deadline = Date.now() + 3000;
        while ((await env.store.listShSubscriptions(impu('pnr-e'))).length > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(await env.store.listShSubscriptions(impu('pnr-e')), []);
      } finally {
        answer = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
      }
    });
  });
}
