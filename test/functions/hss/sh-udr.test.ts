/** UDR/UDA over Diameter, TS 29.328 §6.1.1.1, every Data-Reference held, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { DataReference, IdentitySet } from '../../../src/diameter/apps/sh.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { encodeMsisdn } from '../../../src/functions/hss/sh-access.ts';
import { IdentityType } from '../../../src/ims/identity.ts';
import { backends, connectClient, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { AS_NAME, impu, sar, subscriber, withUnregisteredService } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: code < 3000 });

for (const backend of backends()) {
  describe(`Sh UDR (${backend.name})`, () => {
    const env = useEnv(backend);
    const udr = (identity: string, dataReference: number[], extra: Record<string, unknown> = {}) =>
      env.sh.userData({ userIdentity: { publicIdentity: identity }, dataReference, ...extra });
    const shData = (uda: { userData?: Buffer }) => {
      assert.ok(uda.userData, 'User-Data present');
      return uda.userData.toString('utf8');
    };

    it('RepositoryData: the data of each Service-Indication asked, none for data not stored', async () => {
      await env.store.createSubscription(subscriber('udr-a'));
      await env.store.updateRepositoryData(impu('udr-a'), {
        serviceIndication: 'mmtel',
        sequenceNumber: 0,
        data: '<simservs><cdiv active="true"/></simservs>',
      });
      const uda = await udr(impu('udr-a'), [DataReference.RepositoryData], {
        serviceIndication: [Buffer.from('mmtel'), Buffer.from('other')],
      });
      assert.equal(answerResult(uda).code, ResultCode.DIAMETER_SUCCESS);
      assert.equal(
        shData(uda),
        '<?xml version="1.0" encoding="UTF-8"?><Sh-Data><RepositoryData><ServiceIndication>mmtel</ServiceIndication>' +
          '<SequenceNumber>0</SequenceNumber><ServiceData><simservs><cdiv active="true"/></simservs></ServiceData>' +
          '</RepositoryData></Sh-Data>',
      );
      const none = await udr(impu('udr-a'), [DataReference.RepositoryData], {
        serviceIndication: [Buffer.from('x')],
      });
      assert.equal(shData(none), '<?xml version="1.0" encoding="UTF-8"?><Sh-Data></Sh-Data>');
    });

    it('IMSPublicIdentity by Identity-Set; IMSUserState and S-CSCFName follow the registration', async () => {
      const sub = subscriber('udr-b', { tel: '+12015550700' });
      sub.publicIdentities.push({
        impu: 'sip:udr-b-work@ims.test',
        identityType: 0,
        serviceProfileId: 'default',
      });
      await env.store.createSubscription(sub);
      const ids = (sets?: number[]) =>
        udr(impu('udr-b'), [DataReference.IMSPublicIdentity], sets ? { identitySet: sets } : {}).then(shData);
      assert.match(
        await ids(),
        /<IMSPublicIdentity>sip:udr-b@ims.test<\/IMSPublicIdentity><IMSPublicIdentity>tel:\+12015550700<\/IMSPublicIdentity><IMSPublicIdentity>sip:udr-b-work@ims.test</,
      );
      assert.doesNotMatch(await ids([IdentitySet.IMPLICIT_IDENTITIES]), /udr-b-work/);
      assert.doesNotMatch(await ids([IdentitySet.REGISTERED_IDENTITIES]), /IMSPublicIdentity/);
      const state = () =>
        udr(impu('udr-b'), [DataReference.IMSUserState, DataReference['S-CSCFName']]).then(shData);
      assert.match(await state(), /<Sh-IMS-Data><IMSUserState>0<\/IMSUserState><\/Sh-IMS-Data>/);
      await sar(env.cx, 'udr-b');
      assert.match(
        await state(),
        new RegExp(
          `<Sh-IMS-Data><S-CSCFName>${SCSCF_NAME}</S-CSCFName><IMSUserState>1</IMSUserState></Sh-IMS-Data>`,
        ),
      );
      assert.match(await ids([IdentitySet.REGISTERED_IDENTITIES]), /sip:udr-b@ims.test.*tel:\+12015550700/);
    });

    it('InitialFilterCriteria of the AS named by Server-Name; ChargingInformation; MSISDN lookup', async () => {
      await env.store.createSubscription({
        ...subscriber('udr-c', {
          tel: '+12015550701',
          initialFilterCriteria: withUnregisteredService('x').serviceProfiles[0]!.initialFilterCriteria,
        }),
        chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test' },
      });
      const ifc = shData(
        await udr(impu('udr-c'), [DataReference.InitialFilterCriteria], { serverName: AS_NAME }),
      );
      assert.match(
        ifc,
        /<IFCs><InitialFilterCriteria><Priority>1<\/Priority>.*<ServerName>sip:as.ims.test:5080<\/ServerName>/,
      );
      const other = shData(
        await udr(impu('udr-c'), [DataReference.InitialFilterCriteria], { serverName: 'sip:other.ims.test' }),
      );
      assert.match(other, /<IFCs><\/IFCs>/);
      const charging = shData(await udr(impu('udr-c'), [DataReference.ChargingInformation]));
      assert.match(charging, /<PrimaryChargingCollectionFunctionName>aaa:\/\/cdf.ims.test</);
      // User-Identity by MSISDN (TBCD), and the MSISDN data.
      const byMsisdn = await env.sh.userData({
        userIdentity: { msisdn: encodeMsisdn('12015550701') },
        dataReference: [DataReference.MSISDN],
      });
      assert.match(shData(byMsisdn), /<PublicIdentifiers><MSISDN>12015550701<\/MSISDN><\/PublicIdentifiers>/);
    });

    it('a wildcarded PSI answers with Wildcarded-Public-Identity', async () => {
      await env.store.createSubscription({
        privateIdentities: [],
        publicIdentities: [
          {
            impu: 'sip:udr-conf-!.*!@ims.test',
            identityType: IdentityType.WILDCARDED_PSI,
            serviceProfileId: 'p',
          },
        ],
        serviceProfiles: [{ id: 'p', initialFilterCriteria: [] }],
      });
      const uda = await udr('sip:udr-conf-7@ims.test', [DataReference.IMSUserState]);
      assert.equal(answerResult(uda).code, ResultCode.DIAMETER_SUCCESS);
      assert.equal(uda.wildcardedPublicIdentity, 'sip:udr-conf-!.*!@ims.test');
    });

    it('errors: USER_UNKNOWN, MISSING_AVP, USER_DATA_NOT_AVAILABLE (CS/PS data)', async () => {
      await env.store.createSubscription(subscriber('udr-d'));
      assert.deepEqual(
        answerResult(await udr('sip:udr-nobody@ims.test', [DataReference.IMSUserState])),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.equal(
        answerResult(await udr(impu('udr-d'), [DataReference.RepositoryData])).code,
        ResultCode.DIAMETER_MISSING_AVP,
      );
      assert.equal(
        answerResult(await udr(impu('udr-d'), [DataReference.InitialFilterCriteria])).code,
        ResultCode.DIAMETER_MISSING_AVP,
      );
      for (const ref of [DataReference.LocationInformation, DataReference.UserState])
        assert.deepEqual(
          answerResult(await udr(impu('udr-d'), [ref])),
          experimental(E.DIAMETER_USER_DATA_NOT_AVAILABLE),
        );
    });

    it('an AS may read only what its permissions list: DIAMETER_ERROR_USER_DATA_CANNOT_BE_READ', async () => {
      await env.store.createSubscription(subscriber('udr-e'));
      await env.store.putApplicationServer({
        name: 'limited',
        serverName: 'sip:limited.ims.test',
        defaultHandling: 0,
        diameterHost: 'limited-as.ims.test',
        shPermissions: { read: [DataReference.IMSUserState], update: [], subscribe: [] },
      });
      const as = await connectClient(env, 'limited-as.ims.test');
      try {
        const read = (refs: number[]) =>
          as.sh.userData({ userIdentity: { publicIdentity: impu('udr-e') }, dataReference: refs });
        assert.equal(
          answerResult(await read([DataReference.IMSUserState])).code,
          ResultCode.DIAMETER_SUCCESS,
        );
        assert.deepEqual(
          answerResult(await read([DataReference.IMSUserState, DataReference['S-CSCFName']])),
          experimental(E.DIAMETER_ERROR_USER_DATA_CANNOT_BE_READ),
        );
      } finally {
        await as.node.close();
      }
    });
  });
}
