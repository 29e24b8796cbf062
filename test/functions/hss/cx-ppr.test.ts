/**
 * PPR/PPA over Diameter, TS 29.228 §6.2.2.1: a changed profile pushed to the S-CSCF serving the
 * user (the test node). On every backend.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type PushProfileRequest, ServerAssignmentType as Sat } from '../../../src/diameter/apps/cx.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { HssActionError } from '../../../src/functions/hss/index.ts';
import { parseUserData } from '../../../src/ims/user-data.ts';
import { StoreError } from '../../../src/store/store-error.ts';
import { backends, useEnv } from './helpers/hss-env.ts';
import { AS_NAME, impi, impu, sar, subscriber, withUnregisteredService } from './helpers/hss-subscribers.ts';

for (const backend of backends()) {
  describe(`Cx PPR (${backend.name})`, () => {
    const env = useEnv(backend);
    const received: PushProfileRequest[] = [];
    let answer: () => object = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
    before(() =>
      env.cx.onPushProfile((req) => {
        received.push(req);
        return answer() as never;
      }),
    );

    it('after a profile change the S-CSCF gets the new User-Data and Charging-Information', async () => {
      const sub = await env.store.createSubscription(subscriber('ppr-a', { tel: '+12015550600' }));
      await sar(env.cx, 'ppr-a');
      const { id: _id, ...provisioned } = sub;
      await env.store.updateSubscription(sub.id, {
        ...provisioned,
        serviceProfiles: withUnregisteredService('x').serviceProfiles,
        chargingInformation: { primaryEventChargingFunctionName: 'aaa://ocs.ims.test' },
      });
      const outcome = await env.hss.actions.pushProfile(sub.id);
      assert.equal(outcome.sent, true);
      assert.deepEqual(outcome.publicIdentities, [impu('ppr-a'), 'tel:+12015550600']);
      const ppr = received.at(-1)!;
      assert.equal(ppr.userName, impi('ppr-a'));
      assert.equal(ppr.destinationHost, env.client.originHost);
      assert.deepEqual(ppr.chargingInformation, { primaryEventChargingFunctionName: 'aaa://ocs.ims.test' });
      const profile = parseUserData(ppr.userData!.toString('utf8'));
      assert.equal(
        profile.serviceProfiles[0]?.initialFilterCriteria[0]?.applicationServer.serverName,
        AS_NAME,
      );
      assert.deepEqual(
        profile.serviceProfiles[0]?.publicIdentities.map((p) => p.identity),
        [impu('ppr-a'), 'tel:+12015550600'],
      );
    });

    it('an unregistered user held by an S-CSCF is pushed too; nothing is sent when no S-CSCF holds it', async () => {
      const held = await env.store.createSubscription(withUnregisteredService('ppr-b'));
      await sar(env.cx, 'ppr-b', Sat.UNREGISTERED_USER, { userName: undefined });
      assert.equal((await env.hss.actions.pushProfile(held.id)).sent, true);
      assert.equal(received.at(-1)?.userName, impi('ppr-b'));
      const idle = await env.store.createSubscription(subscriber('ppr-c'));
      const before = received.length;
      assert.deepEqual(await env.hss.actions.pushProfile(idle.id), { sent: false, publicIdentities: [] });
      assert.equal(received.length, before);
    });

    it('errors: NOT_FOUND for an unknown subscription; REFUSED when the S-CSCF answers USER_UNKNOWN', async () => {
      await assert.rejects(
        env.hss.actions.pushProfile('no-such-subscription'),
        (e: unknown) => e instanceof StoreError && e.code === 'NOT_FOUND',
      );
      const sub = await env.store.createSubscription(subscriber('ppr-d'));
      await sar(env.cx, 'ppr-d');
      answer = () => experimentalResult(E.DIAMETER_ERROR_USER_UNKNOWN);
      try {
        await assert.rejects(
          env.hss.actions.pushProfile(sub.id),
          (e: unknown) => e instanceof HssActionError && e.code === 'REFUSED',
        );
      } finally {
        answer = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
      }
    });
  });
}
