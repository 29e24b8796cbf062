/** SNR/SNA over Diameter, TS 29.328 §6.1.3.1, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { DataReference, SendDataIndication, SubsReqType } from '../../../src/diameter/apps/sh.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { backends, CLIENT_HOST, useEnv } from './helpers/hss-env.ts';
import { impu, subscriber } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });

for (const backend of backends()) {
  describe(`Sh SNR (${backend.name})`, () => {
    const env = useEnv(backend);
    const snr = (identity: string, dataReference: number[], extra: Record<string, unknown> = {}) =>
      env.sh.subscribeNotifications({
        userIdentity: { publicIdentity: identity },
        subsReqType: SubsReqType.Subscribe,
        dataReference,
        ...extra,
      });

    it('subscribes to RepositoryData with Expiry-Time and the current data (Send-Data-Indication)', async () => {
      await env.store.createSubscription(subscriber('snr-a'));
      await env.store.updateRepositoryData(impu('snr-a'), {
        serviceIndication: 'mmtel',
        sequenceNumber: 0,
        data: '<c/>',
      });
      const expiry = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
      const sna = await snr(impu('snr-a'), [DataReference.RepositoryData], {
        serviceIndication: [Buffer.from('mmtel')],
        expiryTime: expiry,
        sendDataIndication: SendDataIndication.USER_DATA_REQUESTED,
      });
      assert.equal(answerResult(sna).code, ResultCode.DIAMETER_SUCCESS);
      assert.deepEqual(sna.expiryTime, expiry);
      assert.match(
        sna.userData!.toString(),
        /<ServiceIndication>mmtel<\/ServiceIndication><SequenceNumber>0<\/SequenceNumber><ServiceData><c\/><\/ServiceData>/,
      );
      assert.deepEqual(await env.store.listShSubscriptions(impu('snr-a')), [
        {
          impu: impu('snr-a'),
          applicationServerHost: CLIENT_HOST,
          dataReference: DataReference.RepositoryData,
          serviceIndications: ['mmtel'],
          expiresAt: expiry.getTime(),
        },
      ]);
    });

    it('IMSUserState and S-CSCFName together; Unsubscribe removes them', async () => {
      await env.store.createSubscription(subscriber('snr-b'));
      const refs = [DataReference.IMSUserState, DataReference['S-CSCFName']];
      assert.equal(answerResult(await snr(impu('snr-b'), refs)).code, ResultCode.DIAMETER_SUCCESS);
      assert.deepEqual(
        (await env.store.listShSubscriptions(impu('snr-b'))).map((s) => s.dataReference).sort(),
        [...refs].sort(),
      );
      const un = await snr(impu('snr-b'), refs, { subsReqType: SubsReqType.Unsubscribe });
      assert.equal(answerResult(un).code, ResultCode.DIAMETER_SUCCESS);
      assert.deepEqual(await env.store.listShSubscriptions(impu('snr-b')), []);
    });

    it('errors: USER_UNKNOWN, SUBS_DATA_ABSENT, USER_DATA_CANNOT_BE_NOTIFIED, MISSING_AVP', async () => {
      await env.store.createSubscription(subscriber('snr-c'));
      assert.deepEqual(
        answerResult(await snr('sip:snr-nobody@ims.test', [DataReference.IMSUserState])),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.deepEqual(
        answerResult(
          await snr(impu('snr-c'), [DataReference.RepositoryData], {
            serviceIndication: [Buffer.from('none')],
          }),
        ),
        experimental(E.DIAMETER_ERROR_SUBS_DATA_ABSENT),
      );
      assert.deepEqual(
        answerResult(await snr(impu('snr-c'), [DataReference.LocationInformation])),
        experimental(E.DIAMETER_ERROR_USER_DATA_CANNOT_BE_NOTIFIED),
      );
      assert.equal(
        answerResult(await snr(impu('snr-c'), [DataReference.RepositoryData])).code,
        ResultCode.DIAMETER_MISSING_AVP,
      );
      assert.deepEqual(await env.store.listShSubscriptions(impu('snr-c')), []);
    });
  });
}
