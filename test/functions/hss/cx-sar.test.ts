/** SAR/SAA over Diameter, TS 29.228 §6.1.2.1, every Server-Assignment-Type, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MultipleRegistrationIndication,
  ServerAssignmentType as Sat,
  UserDataAlreadyAvailable,
} from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { IdentityType } from '../../../src/ims/identity.ts';
import { parseUserData } from '../../../src/ims/user-data.ts';
import { backends, CLIENT_HOST, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { AS_NAME, impi, impu, sar, subscriber, withUnregisteredService } from './helpers/hss-subscribers.ts';

const unregisteredIfcs = () => withUnregisteredService('x').serviceProfiles[0]!.initialFilterCriteria;
const ok = (avps: object) =>
  assert.equal(answerResult(avps as Record<string, never>).code, ResultCode.DIAMETER_SUCCESS);
const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });

for (const backend of backends()) {
  describe(`Cx SAR (${backend.name})`, () => {
    const env = useEnv(backend);
    const state = async (impuText: string) => {
      const match = await env.store.getSubscriptionByImpu(impuText);
      return {
        state: match?.publicIdentity.registrationState,
        impis: match?.publicIdentity.registeredPrivateIdentities,
        scscf: match?.subscription.serverAssignment?.scscfName,
      };
    };

    it('REGISTRATION: the implicit set registered, S-CSCF stored, User-Data and Charging-Information', async () => {
      await env.store.createSubscription({
        ...subscriber('sar-a', { tel: '+12015550200', initialFilterCriteria: unregisteredIfcs() }),
        chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test' },
      });
      const saa = await sar(env.cx, 'sar-a');
      ok(saa);
      assert.equal(saa.userName, impi('sar-a'));
      const profile = parseUserData(saa.userData!.toString('utf8'));
      assert.equal(profile.privateId, impi('sar-a'));
      assert.deepEqual(
        profile.serviceProfiles.flatMap((sp) => sp.publicIdentities.map((p) => p.identity)),
        [impu('sar-a'), 'tel:+12015550200'],
      );
      assert.equal(
        profile.serviceProfiles[0]?.initialFilterCriteria[0]?.applicationServer.serverName,
        AS_NAME,
      );
      assert.deepEqual(saa.chargingInformation, {
        primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test',
      });
      for (const i of [impu('sar-a'), 'tel:+12015550200'])
        assert.deepEqual(await state(i), { state: 'REGISTERED', impis: [impi('sar-a')], scscf: SCSCF_NAME });
      const sub = await env.store.getSubscriptionByImpi(impi('sar-a'));
      assert.deepEqual(sub?.serverAssignment, {
        scscfName: SCSCF_NAME,
        diameterHost: CLIENT_HOST,
        diameterRealm: 'ims.test',
      });
    });

    it('RE_REGISTRATION with USER_DATA_ALREADY_AVAILABLE: no User-Data; MULTIPLE_REGISTRATION: the registered IMPIs', async () => {
      const sub = subscriber('sar-b');
      sub.privateIdentities.push({ ...sub.privateIdentities[0]!, impi: 'sar-b2@ims.test' });
      await env.store.createSubscription(sub);
      ok(await sar(env.cx, 'sar-b'));
      const again = await sar(env.cx, 'sar-b', Sat.RE_REGISTRATION, {
        userDataAlreadyAvailable: UserDataAlreadyAvailable.USER_DATA_ALREADY_AVAILABLE,
      });
      ok(again);
      assert.equal(again.userData, undefined);
      // TS 29.229 §6.3.33: the other private identities of the subscription.
      assert.deepEqual(again.associatedIdentities, { userName: [impi('sar-b'), 'sar-b2@ims.test'] });
      const second = await sar(env.cx, 'sar-b', Sat.REGISTRATION, {
        userName: 'sar-b2@ims.test',
        multipleRegistrationIndication: MultipleRegistrationIndication.MULTIPLE_REGISTRATION,
      });
      assert.deepEqual(second.associatedRegisteredIdentities, {
        userName: [impi('sar-b'), 'sar-b2@ims.test'],
      });
      // One IMPI leaves: the identity stays registered by the other (TS 29.228 §6.1.2.1).
      ok(await sar(env.cx, 'sar-b', Sat.USER_DEREGISTRATION));
      assert.deepEqual(await state(impu('sar-b')), {
        state: 'REGISTERED',
        impis: ['sar-b2@ims.test'],
        scscf: SCSCF_NAME,
      });
    });

    it('NO_ASSIGNMENT: the profile for the S-CSCF assigned, UNABLE_TO_COMPLY for another', async () => {
      await env.store.createSubscription(subscriber('sar-c'));
      assert.equal(
        answerResult(await sar(env.cx, 'sar-c', Sat.NO_ASSIGNMENT)).code,
        ResultCode.DIAMETER_UNABLE_TO_COMPLY,
      );
      ok(await sar(env.cx, 'sar-c'));
      const saa = await sar(env.cx, 'sar-c', Sat.NO_ASSIGNMENT);
      ok(saa);
      assert.ok(saa.userData);
      const other = await sar(env.cx, 'sar-c', Sat.NO_ASSIGNMENT, { serverName: 'sip:scscf2.ims.test' });
      assert.equal(answerResult(other).code, ResultCode.DIAMETER_UNABLE_TO_COMPLY);
    });

    it('UNREGISTERED_USER: unregistered state with the S-CSCF; IDENTITY_ALREADY_REGISTERED elsewhere', async () => {
      await env.store.createSubscription(withUnregisteredService('sar-d'));
      const saa = await sar(env.cx, 'sar-d', Sat.UNREGISTERED_USER, { userName: undefined });
      ok(saa);
      assert.equal(saa.userName, impi('sar-d'), 'the IMPI goes back to the S-CSCF');
      assert.ok(saa.userData);
      assert.deepEqual(await state(impu('sar-d')), { state: 'UNREGISTERED', impis: [], scscf: SCSCF_NAME });
      const elsewhere = await sar(env.cx, 'sar-d', Sat.UNREGISTERED_USER, {
        userName: undefined,
        serverName: 'sip:scscf2.ims.test',
      });
      assert.deepEqual(answerResult(elsewhere), experimental(E.DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED));
      assert.equal(elsewhere.serverName, SCSCF_NAME);
      // Registered later: the state becomes REGISTERED with the same S-CSCF.
      ok(await sar(env.cx, 'sar-d'));
      assert.equal((await state(impu('sar-d'))).state, 'REGISTERED');
    });

    it('USER_DEREGISTRATION and TIMEOUT_DEREGISTRATION: not registered, S-CSCF name released', async () => {
      for (const [name, type, tel] of [
        ['sar-e', Sat.USER_DEREGISTRATION, '+12015550301'],
        ['sar-f', Sat.TIMEOUT_DEREGISTRATION, '+12015550302'],
        ['sar-f2', Sat.DEREGISTRATION_TOO_MUCH_DATA, '+12015550303'],
        ['sar-f3', Sat.ADMINISTRATIVE_DEREGISTRATION, '+12015550304'],
      ] as const) {
        await env.store.createSubscription(subscriber(name, { tel }));
        ok(await sar(env.cx, name));
        ok(await sar(env.cx, name, type));
        assert.deepEqual(
          await state(impu(name)),
          { state: 'NOT_REGISTERED', impis: [], scscf: undefined },
          name,
        );
      }
    });

    it('*_DEREGISTRATION_STORE_SERVER_NAME: not registered, the S-CSCF name kept', async () => {
      await env.store.createSubscription(subscriber('sar-g'));
      ok(await sar(env.cx, 'sar-g'));
      ok(await sar(env.cx, 'sar-g', Sat.USER_DEREGISTRATION_STORE_SERVER_NAME));
      assert.deepEqual(await state(impu('sar-g')), { state: 'NOT_REGISTERED', impis: [], scscf: SCSCF_NAME });
      ok(await sar(env.cx, 'sar-g', Sat.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME));
      assert.equal((await state(impu('sar-g'))).scscf, SCSCF_NAME);
    });

    it('AUTHENTICATION_FAILURE / TIMEOUT: the name a MAR stored is released, a registration is kept', async () => {
      await env.store.createSubscription(subscriber('sar-h'));
      const mar = () =>
        env.cx.multimediaAuth({
          userName: impi('sar-h'),
          publicIdentity: impu('sar-h'),
          sipNumberAuthItems: 1,
          sipAuthDataItem: { sipAuthenticationScheme: 'SIP Digest' },
          serverName: SCSCF_NAME,
        });
      ok(await mar());
      assert.equal((await state(impu('sar-h'))).scscf, SCSCF_NAME);
      ok(await sar(env.cx, 'sar-h', Sat.AUTHENTICATION_FAILURE));
      assert.equal((await state(impu('sar-h'))).scscf, undefined);
      ok(await mar());
      ok(await sar(env.cx, 'sar-h'));
      ok(await sar(env.cx, 'sar-h', Sat.AUTHENTICATION_TIMEOUT));
      assert.deepEqual(await state(impu('sar-h')), {
        state: 'REGISTERED',
        impis: [impi('sar-h')],
        scscf: SCSCF_NAME,
      });
    });

    it('a de-registration from a former S-CSCF does not undo the newer registration', async () => {
      await env.store.createSubscription(subscriber('sar-i'));
      ok(await sar(env.cx, 'sar-i'));
      ok(await sar(env.cx, 'sar-i', Sat.TIMEOUT_DEREGISTRATION, { serverName: 'sip:old.ims.test' }));
      assert.equal((await state(impu('sar-i'))).state, 'REGISTERED');
    });

    it('Shared iFC sets: kept as SharedIFCSetID for an S-CSCF with SiFC, expanded for others', async () => {
      await env.store.putSharedIfcSet({
        id: 7,
        initialFilterCriteria: unregisteredIfcs(),
      });
      const sub = subscriber('sar-j');
      sub.serviceProfiles[0]!.sharedIfcSetIds = [7];
      await env.store.createSubscription(sub);
      const expanded = parseUserData((await sar(env.cx, 'sar-j')).userData!.toString('utf8'));
      assert.deepEqual(expanded.serviceProfiles[0]?.sharedIfcSetIds, []);
      assert.equal(
        expanded.serviceProfiles[0]?.initialFilterCriteria[0]?.applicationServer.serverName,
        AS_NAME,
      );
      const sifc = { vendorId: 10415, featureListId: 1, featureList: 1 };
      const saa = await sar(env.cx, 'sar-j', Sat.RE_REGISTRATION, { supportedFeatures: [sifc] });
      assert.deepEqual(saa.supportedFeatures, [sifc]);
      const kept = parseUserData(saa.userData!.toString('utf8'));
      assert.deepEqual(kept.serviceProfiles[0]?.sharedIfcSetIds, [7]);
      assert.deepEqual(kept.serviceProfiles[0]?.initialFilterCriteria, []);
    });

    it('a wildcarded PSI: UNREGISTERED_USER answered with Wildcarded-Public-Identity', async () => {
      await env.store.createSubscription({
        privateIdentities: [],
        publicIdentities: [
          {
            impu: 'sip:conf-!.*!@ims.test',
            identityType: IdentityType.WILDCARDED_PSI,
            serviceProfileId: 'psi',
          },
        ],
        serviceProfiles: [{ id: 'psi', initialFilterCriteria: [] }],
      });
      const saa = await env.cx.serverAssignment({
        publicIdentity: ['sip:conf-42@ims.test'],
        serverName: SCSCF_NAME,
        serverAssignmentType: Sat.UNREGISTERED_USER,
        userDataAlreadyAvailable: UserDataAlreadyAvailable.USER_DATA_NOT_AVAILABLE,
      });
      ok(saa);
      assert.equal(saa.wildcardedPublicIdentity, 'sip:conf-!.*!@ims.test');
    });

    it('a PSI is not registered by a REGISTER: DIAMETER_ERROR_IN_ASSIGNMENT_TYPE', async () => {
      const sub = subscriber('sar-m');
      sub.publicIdentities.push({
        impu: 'sip:psi-m@ims.test',
        identityType: IdentityType.DISTINCT_PSI,
        serviceProfileId: sub.serviceProfiles[0]!.id,
      });
      await env.store.createSubscription(sub);
      const saa = await sar(env.cx, 'sar-m', Sat.REGISTRATION, { publicIdentity: ['sip:psi-m@ims.test'] });
      assert.deepEqual(answerResult(saa), experimental(E.DIAMETER_ERROR_IN_ASSIGNMENT_TYPE));
    });

    it('errors: USER_UNKNOWN, IDENTITIES_DONT_MATCH, IN_ASSIGNMENT_TYPE, FEATURE_UNSUPPORTED, MISSING_AVP', async () => {
      await env.store.createSubscription(subscriber('sar-k'));
      await env.store.createSubscription(subscriber('sar-l'));
      assert.deepEqual(
        answerResult(await sar(env.cx, 'sar-nobody')),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.deepEqual(
        answerResult(await sar(env.cx, 'sar-k', Sat.REGISTRATION, { userName: impi('sar-l') })),
        experimental(E.DIAMETER_ERROR_IDENTITIES_DONT_MATCH),
      );
      for (const type of [Sat.AAA_USER_DATA_REQUEST, Sat.PGW_UPDATE])
        assert.deepEqual(
          answerResult(await sar(env.cx, 'sar-k', type)),
          experimental(E.DIAMETER_ERROR_IN_ASSIGNMENT_TYPE),
        );
      assert.deepEqual(
        answerResult(await sar(env.cx, 'sar-k', Sat.RESTORATION)),
        experimental(E.DIAMETER_ERROR_FEATURE_UNSUPPORTED),
      );
      assert.equal(
        answerResult(await sar(env.cx, 'sar-k', Sat.REGISTRATION, { userName: undefined })).code,
        ResultCode.DIAMETER_MISSING_AVP,
      );
      assert.equal((await state(impu('sar-k'))).state, 'NOT_REGISTERED');
    });
  });
}
