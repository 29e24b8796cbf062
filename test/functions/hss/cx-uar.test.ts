/** UAR/UAA over Diameter, TS 29.228 §6.1.1.1, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserAuthorizationType } from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { backends, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { impi, impu, sar, subscriber, uar as uarOf } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });
const plain = (code: number) => ({ code, success: code < 3000 });

for (const backend of backends()) {
  describe(`Cx UAR (${backend.name})`, () => {
    const env = useEnv(backend, { cx: { allowedVisitedNetworks: ['partner.example'] } });
    const uar = (name: string, extra: Record<string, unknown> = {}) => uarOf(env.cx, name, extra);

    it('first registration: DIAMETER_FIRST_REGISTRATION with the Server-Capabilities provisioned', async () => {
      await env.store.createSubscription({
        ...subscriber('uar-a'),
        serverCapabilities: { mandatoryCapabilities: [1, 2], optionalCapabilities: [7], serverNames: [] },
      });
      const uaa = await uar('uar-a');
      assert.deepEqual(answerResult(uaa), experimental(E.DIAMETER_FIRST_REGISTRATION));
      assert.deepEqual(uaa.serverCapabilities, { mandatoryCapability: [1, 2], optionalCapability: [7] });
      assert.equal(uaa.serverName, undefined);
      // None provisioned: no Server-Capabilities (not an empty one), any S-CSCF will do.
      await env.store.createSubscription(subscriber('uar-b'));
      assert.equal((await uar('uar-b')).serverCapabilities, undefined);
    });

    it('registered: DIAMETER_SUBSEQUENT_REGISTRATION with the S-CSCF name; DE_REGISTRATION: SUCCESS and the name', async () => {
      await env.store.createSubscription(subscriber('uar-c', { tel: '+12015550100' }));
      assert.equal(answerResult(await sar(env.cx, 'uar-c')).code, ResultCode.DIAMETER_SUCCESS);
      const uaa = await uar('uar-c');
      assert.deepEqual(answerResult(uaa), experimental(E.DIAMETER_SUBSEQUENT_REGISTRATION));
      assert.equal(uaa.serverName, SCSCF_NAME);
      // The tel URI of the implicit registration set is registered with it.
      const tel = await uar('uar-c', { publicIdentity: 'tel:+12015550100' });
      assert.equal(tel.serverName, SCSCF_NAME);
      const dereg = await uar('uar-c', { userAuthorizationType: UserAuthorizationType.DE_REGISTRATION });
      assert.deepEqual(answerResult(dereg), plain(ResultCode.DIAMETER_SUCCESS));
      assert.equal(dereg.serverName, SCSCF_NAME);
    });

    it('DE_REGISTRATION of an identity not registered: DIAMETER_ERROR_IDENTITY_NOT_REGISTERED', async () => {
      await env.store.createSubscription(subscriber('uar-d'));
      const uaa = await uar('uar-d', { userAuthorizationType: UserAuthorizationType.DE_REGISTRATION });
      assert.deepEqual(answerResult(uaa), experimental(E.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED));
    });

    it('REGISTRATION_AND_CAPABILITIES: the capabilities, even with an S-CSCF assigned', async () => {
      await env.store.createSubscription({
        ...subscriber('uar-e'),
        serverCapabilities: {
          mandatoryCapabilities: [3],
          optionalCapabilities: [],
          serverNames: [SCSCF_NAME],
        },
      });
      await sar(env.cx, 'uar-e');
      const uaa = await uar('uar-e', {
        userAuthorizationType: UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
      });
      assert.deepEqual(answerResult(uaa), plain(ResultCode.DIAMETER_SUCCESS));
      assert.deepEqual(uaa.serverCapabilities, { mandatoryCapability: [3], serverName: [SCSCF_NAME] });
      assert.equal(uaa.serverName, undefined);
    });

    it('unknown identities: DIAMETER_ERROR_USER_UNKNOWN; identities of two users: IDENTITIES_DONT_MATCH', async () => {
      await env.store.createSubscription(subscriber('uar-f'));
      await env.store.createSubscription(subscriber('uar-g'));
      assert.deepEqual(answerResult(await uar('uar-nobody')), experimental(E.DIAMETER_ERROR_USER_UNKNOWN));
      assert.deepEqual(
        answerResult(await uar('uar-f', { userName: 'nobody@ims.test' })),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.deepEqual(
        answerResult(await uar('uar-f', { userName: impi('uar-g') })),
        experimental(E.DIAMETER_ERROR_IDENTITIES_DONT_MATCH),
      );
    });

    it('an IMPI restricted to some IMPUs may not register the others: IDENTITIES_DONT_MATCH', async () => {
      const sub = subscriber('uar-h', { tel: '+12015550101' });
      sub.privateIdentities[0]!.publicIdentities = [impu('uar-h')];
      await env.store.createSubscription(sub);
      assert.equal(answerResult(await uar('uar-h')).success, true);
      assert.deepEqual(
        answerResult(await uar('uar-h', { publicIdentity: 'tel:+12015550101' })),
        experimental(E.DIAMETER_ERROR_IDENTITIES_DONT_MATCH),
      );
    });

    it('barred: DIAMETER_AUTHORIZATION_REJECTED unless emergency or another identity of the set is not barred', async () => {
      const barred = subscriber('uar-i');
      barred.publicIdentities[0]!.barringIndication = true;
      await env.store.createSubscription(barred);
      assert.deepEqual(answerResult(await uar('uar-i')), plain(ResultCode.DIAMETER_AUTHORIZATION_REJECTED));
      // TS 29.229 §6.3.44 UAR-Flags bit 0: IMS Emergency Registration.
      assert.equal(answerResult(await uar('uar-i', { uarFlags: 1 })).code, E.DIAMETER_FIRST_REGISTRATION);

      const partly = subscriber('uar-j', { tel: '+12015550102' });
      partly.publicIdentities[0]!.barringIndication = true;
      await env.store.createSubscription(partly);
      assert.equal(answerResult(await uar('uar-j')).code, E.DIAMETER_FIRST_REGISTRATION);

      // Registered, then barred: it may still de-register (the barring check is for registrations).
      const later = subscriber('uar-i2');
      later.publicIdentities[0]!.barringIndication = true;
      await env.store.createSubscription(later);
      assert.equal(answerResult(await sar(env.cx, 'uar-i2')).code, ResultCode.DIAMETER_SUCCESS);
      const dereg = await uar('uar-i2', { userAuthorizationType: UserAuthorizationType.DE_REGISTRATION });
      assert.deepEqual(answerResult(dereg), plain(ResultCode.DIAMETER_SUCCESS));
      assert.equal(dereg.serverName, SCSCF_NAME);
    });

    it('roaming: DIAMETER_ERROR_ROAMING_NOT_ALLOWED from a network not allowed, not for de-registration', async () => {
      await env.store.createSubscription(subscriber('uar-k'));
      const from = (network: string, extra = {}) =>
        uar('uar-k', { visitedNetworkIdentifier: Buffer.from(network), ...extra });
      assert.equal(answerResult(await from('partner.example')).code, E.DIAMETER_FIRST_REGISTRATION);
      assert.equal(answerResult(await from('IMS.TEST')).code, E.DIAMETER_FIRST_REGISTRATION);
      assert.deepEqual(
        answerResult(await from('elsewhere.example')),
        experimental(E.DIAMETER_ERROR_ROAMING_NOT_ALLOWED),
      );
      assert.deepEqual(
        answerResult(
          await from('elsewhere.example', { userAuthorizationType: UserAuthorizationType.DE_REGISTRATION }),
        ),
        experimental(E.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED),
      );
    });

    it('a MAR stores the S-CSCF name: the next UAR is a subsequent registration towards it', async () => {
      await env.store.createSubscription(subscriber('uar-l'));
      await env.cx.multimediaAuth({
        userName: impi('uar-l'),
        publicIdentity: impu('uar-l'),
        sipNumberAuthItems: 1,
        sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
        serverName: SCSCF_NAME,
      });
      const uaa = await uar('uar-l');
      assert.equal(answerResult(uaa).code, E.DIAMETER_SUBSEQUENT_REGISTRATION);
      assert.equal(uaa.serverName, SCSCF_NAME);
    });
  });
}
