import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegistrationView, SharedIfcSet, Subscription } from '../../../src/functions/hss/model.ts';
import { applyRegistration } from '../../../src/functions/hss/registration.ts';
import { userProfile } from '../../../src/functions/hss/user-profile.ts';
import { IdentityType } from '../../../src/ims/identity.ts';
import { buildUserData, parseUserData } from '../../../src/ims/user-data.ts';

const SCSCF = {
  scscfName: 'sip:scscf.ims.test:6060',
  diameterHost: 'scscf.ims.test',
  diameterRealm: 'ims.test',
};

function view(): RegistrationView {
  return {
    subscriptionId: 's1',
    publicIdentities: ['sip:a@ims.test', 'tel:+12015550123', 'sip:b@ims.test'].map((impu) => ({
      impu,
      registrationState: 'NOT_REGISTERED' as const,
      registeredPrivateIdentities: [],
    })),
  };
}

const states = (v: RegistrationView) =>
  v.publicIdentities.map((r) => `${r.registrationState}:${r.registeredPrivateIdentities.join('+')}`);

describe('applyRegistration (TS 29.228 §6.1.2 Server-Assignment bookkeeping)', () => {
  const irs = ['sip:a@ims.test', 'tel:+12015550123'];

  it('REGISTERED: the set is registered with the IMPI and the S-CSCF is stored', () => {
    const v = applyRegistration(view(), irs, {
      state: 'REGISTERED',
      privateIdentity: 'a@ims.test',
      serverAssignment: SCSCF,
    });
    assert.deepEqual(states(v), ['REGISTERED:a@ims.test', 'REGISTERED:a@ims.test', 'NOT_REGISTERED:']);
    assert.deepEqual(v.serverAssignment, SCSCF);
  });

  it('a shared IMPU stays REGISTERED while another IMPI has it registered', () => {
    let v = applyRegistration(view(), irs, {
      state: 'REGISTERED',
      privateIdentity: 'a@ims.test',
      serverAssignment: SCSCF,
    });
    v = applyRegistration(v, irs, { state: 'REGISTERED', privateIdentity: 'a2@ims.test' });
    v = applyRegistration(v, irs, { state: 'REGISTERED', privateIdentity: 'a2@ims.test' });
    assert.deepEqual(states(v).slice(0, 1), ['REGISTERED:a@ims.test+a2@ims.test']);
    v = applyRegistration(v, irs, { state: 'NOT_REGISTERED', privateIdentity: 'a@ims.test' });
    assert.deepEqual(states(v).slice(0, 2), ['REGISTERED:a2@ims.test', 'REGISTERED:a2@ims.test']);
    assert.deepEqual(v.serverAssignment, SCSCF);
    v = applyRegistration(v, irs, { state: 'NOT_REGISTERED', privateIdentity: 'a2@ims.test' });
    assert.deepEqual(states(v), ['NOT_REGISTERED:', 'NOT_REGISTERED:', 'NOT_REGISTERED:']);
    assert.equal(v.serverAssignment, undefined, 'S-CSCF name cleared once nothing is registered');
  });

  it('keeps the S-CSCF name on *_STORE_SERVER_NAME, and while another set is registered', () => {
    let v = applyRegistration(view(), irs, {
      state: 'REGISTERED',
      privateIdentity: 'a@ims.test',
      serverAssignment: SCSCF,
    });
    v = applyRegistration(v, ['sip:b@ims.test'], { state: 'UNREGISTERED', serverAssignment: SCSCF });
    v = applyRegistration(v, irs, { state: 'NOT_REGISTERED' });
    assert.deepEqual(states(v), ['NOT_REGISTERED:', 'NOT_REGISTERED:', 'UNREGISTERED:']);
    assert.deepEqual(v.serverAssignment, SCSCF);
    v = applyRegistration(v, ['sip:b@ims.test'], { state: 'NOT_REGISTERED', keepServerName: true });
    assert.deepEqual(v.serverAssignment, SCSCF);
    assert.equal(
      applyRegistration(v, ['sip:b@ims.test'], { state: 'NOT_REGISTERED' }).serverAssignment,
      undefined,
    );
  });
});

describe('userProfile (TS 29.228 §6.1.2, Annex B)', () => {
  const sub: Subscription = {
    id: 's1',
    privateIdentities: [{ impi: 'a@ims.test', allowedSchemes: ['MD5'], ha1Md5: '0'.repeat(32) }],
    publicIdentities: [
      {
        impu: 'sip:a@ims.test',
        identityType: IdentityType.PUBLIC_USER_IDENTITY,
        serviceProfileId: 'home',
        displayName: 'A',
      },
      { impu: 'tel:+12015550123', identityType: IdentityType.PUBLIC_USER_IDENTITY, serviceProfileId: 'home' },
      {
        impu: 'sip:a-work@ims.test',
        identityType: IdentityType.PUBLIC_USER_IDENTITY,
        serviceProfileId: 'work',
        barringIndication: true,
      },
    ],
    serviceProfiles: [
      {
        id: 'home',
        initialFilterCriteria: [{ priority: 5, applicationServer: { serverName: 'sip:mmtel.ims.test' } }],
        sharedIfcSetIds: [1],
      },
      { id: 'work', initialFilterCriteria: [], subscribedMediaProfileId: 2 },
    ],
  };
  const shared: SharedIfcSet = {
    id: 1,
    initialFilterCriteria: [{ priority: 1, applicationServer: { serverName: 'sip:shared.ims.test' } }],
  };

  it('groups the identities asked for by service profile', () => {
    const doc = userProfile(sub, { publicIdentities: ['sip:a@ims.test', 'tel:+12015550123'] });
    assert.equal(doc.privateId, 'a@ims.test');
    assert.equal(doc.serviceProfiles.length, 1);
    assert.deepEqual(doc.serviceProfiles[0]?.publicIdentities, [
      { identity: 'sip:a@ims.test', identityType: 0, displayName: 'A' },
      { identity: 'tel:+12015550123', identityType: 0 },
    ]);
    assert.deepEqual(doc.serviceProfiles[0]?.sharedIfcSetIds, [1]);
    assert.deepEqual(parseUserData(buildUserData(doc)), doc);
  });

  it('gives every profile by default, with the media profile and barring', () => {
    const doc = userProfile(sub);
    assert.equal(doc.serviceProfiles.length, 2);
    assert.deepEqual(doc.serviceProfiles[1]?.coreNetworkServicesAuthorization, {
      subscribedMediaProfileId: 2,
    });
    assert.equal(doc.serviceProfiles[1]?.publicIdentities[0]?.barringIndication, true);
  });

  it('expands shared iFC sets for an S-CSCF without the feature, in priority order', () => {
    const doc = userProfile(sub, { expandSharedIfcSets: new Map([[1, shared]]) });
    assert.deepEqual(
      doc.serviceProfiles[0]?.initialFilterCriteria.map((i) => i.applicationServer.serverName),
      ['sip:shared.ims.test', 'sip:mmtel.ims.test'],
    );
    assert.deepEqual(doc.serviceProfiles[0]?.sharedIfcSetIds, []);
  });
});
