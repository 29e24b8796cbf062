/**
 * RTR/RTA over Diameter, TS 29.228 §6.1.3.1: administrative de-registration from the HSS's
 * actions; the test node is the S-CSCF that receives the RTR. On every backend.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  ReasonCode,
  type RegistrationTerminationRequest,
  ServerAssignmentType as Sat,
} from '../../../src/diameter/apps/cx.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { HssActionError } from '../../../src/functions/hss/index.ts';
import { StoreError } from '../../../src/store/store-error.ts';
import { backends, startEnv, useEnv } from './helpers/hss-env.ts';
import { impi, impu, sar, subscriber, withUnregisteredService } from './helpers/hss-subscribers.ts';

for (const backend of backends()) {
  describe(`Cx RTR (${backend.name})`, () => {
    const env = useEnv(backend);
    const received: RegistrationTerminationRequest[] = [];
    let answer: () => object = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
    // The test node is the S-CSCF: it records every RTR and answers as `answer` says.
    before(() =>
      env.cx.onRegistrationTermination((req) => {
        received.push(req);
        return answer() as never;
      }),
    );
    const stateOf = async (identity: string) => {
      const m = await env.store.getSubscriptionByImpu(identity);
      return [m?.publicIdentity.registrationState, m?.subscription.serverAssignment?.scscfName];
    };

    it('the S-CSCF gets RTR for the implicit set, PERMANENT_TERMINATION with Reason-Info; the HSS forgets', async () => {
      await env.store.createSubscription(subscriber('rtr-a', { tel: '+12015550500' }));
      await sar(env.cx, 'rtr-a');
      const outcome = await env.hss.actions.deregister(impu('rtr-a'), 'contract ended');
      assert.equal(outcome.sent, true);
      assert.deepEqual(outcome.result, { code: ResultCode.DIAMETER_SUCCESS, success: true });
      const rtr = received.at(-1)!;
      assert.equal(rtr.userName, impi('rtr-a'));
      assert.deepEqual(rtr.publicIdentity, [impu('rtr-a'), 'tel:+12015550500']);
      assert.deepEqual(rtr.deregistrationReason, {
        reasonCode: ReasonCode.PERMANENT_TERMINATION,
        reasonInfo: 'contract ended',
      });
      assert.equal(rtr.destinationHost, env.client.originHost);
      assert.deepEqual(await stateOf(impu('rtr-a')), ['NOT_REGISTERED', undefined]);
      assert.deepEqual(await stateOf('tel:+12015550500'), ['NOT_REGISTERED', undefined]);
    });

    it('an S-CSCF that only keeps the profile of an unregistered user: REMOVE_S-CSCF', async () => {
      await env.store.createSubscription(withUnregisteredService('rtr-b'));
      await sar(env.cx, 'rtr-b', Sat.UNREGISTERED_USER, { userName: undefined });
      const outcome = await env.hss.actions.deregister(impu('rtr-b'), { reasonInfo: 'moved' });
      assert.equal(outcome.sent, true);
      assert.equal(received.at(-1)?.deregistrationReason.reasonCode, ReasonCode['REMOVE_S-CSCF']);
      assert.deepEqual(await stateOf(impu('rtr-b')), ['NOT_REGISTERED', undefined]);
    });

    it('two IMPIs registered: User-Name one, Associated-Identities both; a given Reason-Code is sent', async () => {
      const sub = subscriber('rtr-c');
      sub.privateIdentities.push({ ...sub.privateIdentities[0]!, impi: 'rtr-c2@ims.test' });
      await env.store.createSubscription(sub);
      await sar(env.cx, 'rtr-c');
      await sar(env.cx, 'rtr-c', Sat.REGISTRATION, { userName: 'rtr-c2@ims.test' });
      await env.hss.actions.deregister(impu('rtr-c'), { reasonCode: ReasonCode.SERVER_CHANGE });
      const rtr = received.at(-1)!;
      assert.equal(rtr.userName, impi('rtr-c'));
      assert.deepEqual(rtr.associatedIdentities, { userName: [impi('rtr-c'), 'rtr-c2@ims.test'] });
      assert.equal(rtr.deregistrationReason.reasonCode, ReasonCode.SERVER_CHANGE);
      assert.deepEqual(await stateOf(impu('rtr-c')), ['NOT_REGISTERED', undefined]);
    });

    it('nothing to tell when not registered; NOT_FOUND for an unknown identity', async () => {
      await env.store.createSubscription(subscriber('rtr-d'));
      const before = received.length;
      assert.deepEqual(await env.hss.actions.deregister(impu('rtr-d')), {
        sent: false,
        publicIdentities: [impu('rtr-d')],
      });
      assert.equal(received.length, before);
      await assert.rejects(
        env.hss.actions.deregister('sip:rtr-nobody@ims.test'),
        (e: unknown) => e instanceof StoreError && e.code === 'NOT_FOUND',
      );
    });

    it('an S-CSCF that refuses: HssActionError REFUSED, and the registration stays', async () => {
      await env.store.createSubscription(subscriber('rtr-e'));
      await sar(env.cx, 'rtr-e');
      answer = () => experimentalResult(E.DIAMETER_ERROR_USER_UNKNOWN);
      try {
        await assert.rejects(
          env.hss.actions.deregister(impu('rtr-e')),
          (e: unknown) =>
            e instanceof HssActionError &&
            e.code === 'REFUSED' &&
            e.result?.code === E.DIAMETER_ERROR_USER_UNKNOWN,
        );
      } finally {
        answer = () => ({ resultCode: ResultCode.DIAMETER_SUCCESS });
      }
      assert.equal((await stateOf(impu('rtr-e')))[0], 'REGISTERED');
    });
  });

  describe(`Cx RTR, S-CSCF gone (${backend.name})`, () => {
    it('HssActionError UNREACHABLE when the S-CSCF is not connected', async () => {
      const env = await startEnv(backend);
      try {
        await env.store.createSubscription(subscriber('rtr-f'));
        await sar(env.cx, 'rtr-f');
        await env.client.close();
        await assert.rejects(
          env.hss.actions.deregister(impu('rtr-f')),
          (e: unknown) => e instanceof HssActionError && e.code === 'UNREACHABLE',
        );
      } finally {
        await env.stop();
      }
    });
  });
}
