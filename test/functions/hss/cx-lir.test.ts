/** LIR/LIA over Diameter, TS 29.228 §6.1.4.1, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  OriginatingRequest,
  ServerAssignmentType as Sat,
  UserAuthorizationType,
} from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { IdentityType } from '../../../src/ims/identity.ts';
import { backends, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { impu, sar, subscriber, withUnregisteredService } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });
const plain = (code: number) => ({ code, success: code < 3000 });

for (const backend of backends()) {
  describe(`Cx LIR (${backend.name})`, () => {
    const env = useEnv(backend);
    const lir = (identity: string, extra: Record<string, unknown> = {}) =>
      env.cx.locationInfo({ publicIdentity: identity, ...extra });

    it('registered: DIAMETER_SUCCESS with the S-CSCF name, for each identity of the implicit set', async () => {
      await env.store.createSubscription(subscriber('lir-a', { tel: '+12015550400' }));
      await sar(env.cx, 'lir-a');
      for (const identity of [impu('lir-a'), 'tel:+12015550400', 'tel:+1-201-555-0400']) {
        const lia = await lir(identity);
        assert.deepEqual(answerResult(lia), plain(ResultCode.DIAMETER_SUCCESS), identity);
        assert.equal(lia.serverName, SCSCF_NAME);
      }
    });

    it('unregistered with services: DIAMETER_UNREGISTERED_SERVICE and capabilities; then the S-CSCF picked', async () => {
      await env.store.createSubscription({
        ...withUnregisteredService('lir-b'),
        serverCapabilities: { mandatoryCapabilities: [5], optionalCapabilities: [], serverNames: [] },
      });
      const lia = await lir(impu('lir-b'));
      assert.deepEqual(answerResult(lia), experimental(E.DIAMETER_UNREGISTERED_SERVICE));
      assert.deepEqual(lia.serverCapabilities, { mandatoryCapability: [5] });
      // The S-CSCF the I-CSCF picked takes the user as unregistered (SAR UNREGISTERED_USER).
      await sar(env.cx, 'lir-b', Sat.UNREGISTERED_USER, { userName: undefined });
      const next = await lir(impu('lir-b'));
      assert.deepEqual(answerResult(next), plain(ResultCode.DIAMETER_SUCCESS));
      assert.equal(next.serverName, SCSCF_NAME);
    });

    it('not registered, no unregistered services: DIAMETER_ERROR_IDENTITY_NOT_REGISTERED; Originating-Request: served', async () => {
      await env.store.createSubscription(subscriber('lir-c'));
      assert.deepEqual(
        answerResult(await lir(impu('lir-c'))),
        experimental(E.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED),
      );
      const orig = await lir(impu('lir-c'), { originatingRequest: OriginatingRequest.ORIGINATING });
      assert.deepEqual(answerResult(orig), experimental(E.DIAMETER_UNREGISTERED_SERVICE));
      assert.equal(orig.serverCapabilities, undefined);
    });

    it('not registered with the S-CSCF name kept (STORE_SERVER_NAME): that S-CSCF', async () => {
      await env.store.createSubscription(withUnregisteredService('lir-d'));
      await sar(env.cx, 'lir-d');
      await sar(env.cx, 'lir-d', Sat.USER_DEREGISTRATION_STORE_SERVER_NAME);
      const lia = await lir(impu('lir-d'));
      assert.deepEqual(answerResult(lia), plain(ResultCode.DIAMETER_SUCCESS));
      assert.equal(lia.serverName, SCSCF_NAME);
    });

    it('a wildcarded PSI: unregistered services, with Wildcarded-Public-Identity', async () => {
      await env.store.createSubscription({
        privateIdentities: [],
        publicIdentities: [
          {
            impu: 'sip:chat-!.*!@ims.test',
            identityType: IdentityType.WILDCARDED_PSI,
            serviceProfileId: 'psi',
          },
        ],
        serviceProfiles: [{ id: 'psi', initialFilterCriteria: [] }],
      });
      const lia = await lir('sip:chat-room1@ims.test');
      assert.deepEqual(answerResult(lia), experimental(E.DIAMETER_UNREGISTERED_SERVICE));
      assert.equal(lia.wildcardedPublicIdentity, 'sip:chat-!.*!@ims.test');
    });

    it('REGISTRATION_AND_CAPABILITIES (restoration): the capabilities, not the name', async () => {
      await env.store.createSubscription(subscriber('lir-e'));
      await sar(env.cx, 'lir-e');
      const lia = await lir(impu('lir-e'), {
        userAuthorizationType: UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
      });
      assert.deepEqual(answerResult(lia), plain(ResultCode.DIAMETER_SUCCESS));
      assert.equal(lia.serverName, undefined);
      assert.equal(lia.serverCapabilities, undefined);
    });

    it('errors: DIAMETER_ERROR_USER_UNKNOWN; a barred identity: DIAMETER_AUTHORIZATION_REJECTED', async () => {
      assert.deepEqual(
        answerResult(await lir('sip:lir-nobody@ims.test')),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      const barred = subscriber('lir-f', { tel: '+12015550401' });
      barred.publicIdentities[1]!.barringIndication = true;
      await env.store.createSubscription(barred);
      await sar(env.cx, 'lir-f');
      assert.deepEqual(
        answerResult(await lir('tel:+12015550401')),
        plain(ResultCode.DIAMETER_AUTHORIZATION_REJECTED),
      );
      assert.equal((await lir(impu('lir-f'))).serverName, SCSCF_NAME);
    });
  });
}
