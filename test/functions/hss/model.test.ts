import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  implicitRegistrationSetOf,
  type NewSubscription,
  publicIdentitiesOf,
  type Subscription,
} from '../../../src/functions/hss/model.ts';
import { digestHa1, newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import {
  normalizeSubscription,
  validateSubscription,
} from '../../../src/functions/hss/subscription-validation.ts';
import { IdentityType } from '../../../src/ims/identity.ts';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

/** Validation issues of the normalised form, as `field: message`. */
function issues(sub: NewSubscription): string[] {
  return validateSubscription(normalizeSubscription(sub)).map((i) => `${i.field}: ${i.message}`);
}

function base(): NewSubscription {
  return newSubscription({
    impu: 'sip:alice@ims.test',
    password: 'secret',
    k: K,
    opc: OPC,
    tel: '+12015550123',
  });
}

describe('digest HA1 (RFC 7616 §3.4.2)', () => {
  it('is H(username:realm:password) in MD5 and SHA-256', () => {
    // RFC 7616 §3.9.1: username Mufasa, realm http-auth@example.org, password "Circle of Life".
    assert.equal(
      digestHa1('MD5', 'Mufasa', 'http-auth@example.org', 'Circle of Life'),
      createHash('md5').update('Mufasa:http-auth@example.org:Circle of Life').digest('hex'),
    );
    assert.equal(
      digestHa1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life'),
      '7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232',
    );
  });
});

describe('newSubscription: the defaults of ARCHITECTURE.md §7', () => {
  it('derives the IMPI from the IMPU and allows digest when only a password is given', () => {
    const sub = newSubscription({ impu: 'sip:alice@ims.test', password: 'secret' });
    const [pi] = sub.privateIdentities;
    assert.equal(pi?.impi, 'alice@ims.test');
    assert.deepEqual(pi?.allowedSchemes, ['MD5', 'SHA-256']);
    assert.equal(pi?.digestRealm, 'ims.test');
    assert.equal(pi?.ha1Md5, digestHa1('MD5', 'alice@ims.test', 'ims.test', 'secret'));
    assert.equal(pi?.ha1Sha256, digestHa1('SHA-256', 'alice@ims.test', 'ims.test', 'secret'));
    assert.equal(pi?.k, undefined);
    assert.deepEqual(issues(sub), []);
  });

  it('allows digest and AKA when both a password and K are given', () => {
    const sub = base();
    const [pi] = sub.privateIdentities;
    assert.deepEqual(pi?.allowedSchemes, ['MD5', 'SHA-256', 'AKAv1-MD5', 'AKAv2-MD5']);
    assert.equal(pi?.k, K);
    assert.equal(pi?.amf, '8000');
    assert.equal(pi?.sqn, 0);
    assert.deepEqual(
      sub.publicIdentities.map((p) => p.impu),
      ['sip:alice@ims.test', 'tel:+12015550123'],
    );
    assert.deepEqual(sub.implicitRegistrationSets, [
      { id: 'irs-1', publicIdentities: ['sip:alice@ims.test', 'tel:+12015550123'] },
    ]);
    assert.deepEqual(issues(sub), []);
  });

  it('AKA only with K and OP; the IMPI may be given', () => {
    const sub = newSubscription({
      impu: 'sip:bob@ims.test',
      impi: 'bob-imsi@ims.test',
      k: K,
      op: OPC.toUpperCase(),
      amf: 'B9B9',
    });
    const [pi] = sub.privateIdentities;
    assert.deepEqual(pi?.allowedSchemes, ['AKAv1-MD5', 'AKAv2-MD5']);
    assert.equal(pi?.op, OPC);
    assert.equal(pi?.amf, 'b9b9');
    assert.equal(pi?.impi, 'bob-imsi@ims.test');
    assert.deepEqual(issues(sub), []);
  });

  it('without credentials, validation asks for the password HA1', () => {
    assert.deepEqual(issues(newSubscription({ impu: 'sip:carol@ims.test' })), [
      'privateIdentities[0].ha1Md5: is required by scheme MD5',
      'privateIdentities[0].ha1Sha256: is required by scheme SHA-256',
    ]);
  });
});

describe('validateSubscription: precise errors', () => {
  it('names the field and the reason for bad AKA data', () => {
    const sub = base();
    Object.assign(sub.privateIdentities[0]!, { k: 'abc', amf: '80000', sqn: 2 ** 48, op: OPC });
    assert.deepEqual(issues(sub), [
      'privateIdentities[0].k: must be 32 hex digits',
      'privateIdentities[0].amf: must be 4 hex digits',
      'privateIdentities[0].op: give OPc or OP, not both',
      'privateIdentities[0].sqn: must be an integer 0..281474976710655 (48 bits, TS 33.102 §6.3.2)',
    ]);
  });

  it('requires what each allowed scheme needs', () => {
    const sub = base();
    const pi = sub.privateIdentities[0]!;
    delete pi.k;
    delete pi.opc;
    delete pi.ha1Sha256;
    pi.allowedSchemes = [...pi.allowedSchemes, 'MD5', 'HTTP' as never];
    assert.deepEqual(issues(sub), [
      'privateIdentities[0].allowedSchemes[4]: is listed twice',
      'privateIdentities[0].allowedSchemes[5]: must be one of AKAv1-MD5, AKAv2-MD5, MD5, SHA-256',
      'privateIdentities[0].k: is required by scheme AKAv1-MD5',
      'privateIdentities[0].opc: OPc or OP is required by scheme AKAv1-MD5',
      'privateIdentities[0].ha1Sha256: is required by scheme SHA-256',
    ]);
  });

  it('checks identities: form, duplicates, references', () => {
    const sub = base();
    sub.privateIdentities.push(
      { ...sub.privateIdentities[0]! },
      { impi: 'nobody', allowedSchemes: ['MD5'], ha1Md5: 'x' },
    );
    sub.publicIdentities.push(
      {
        impu: 'SIP:Alice@IMS.TEST'.replace('Alice', 'alice'),
        identityType: IdentityType.PUBLIC_USER_IDENTITY,
        serviceProfileId: 'default',
      },
      { impu: 'tel:555', identityType: IdentityType.PUBLIC_USER_IDENTITY, serviceProfileId: 'nope' },
    );
    sub.privateIdentities[0]!.publicIdentities = ['sip:alice@ims.test', 'sip:unknown@ims.test'];
    assert.deepEqual(issues(sub), [
      'publicIdentities[2].impu: duplicate of publicIdentities[0].impu',
      'publicIdentities[3].impu: a tel public identity must be a global number (+E.164)',
      'publicIdentities[3].serviceProfileId: must name a service profile of this subscription',
      'privateIdentities[0].publicIdentities[1]: must be a public identity of this subscription',
      'privateIdentities[1].impi: duplicate of privateIdentities[0].impi',
      'privateIdentities[2].impi: must be an NAI username@realm (TS 23.003 §13.3)',
      'privateIdentities[2].ha1Md5: must be 32 hex digits',
    ]);
  });

  it('checks wildcards, PSIs and implicit registration sets', () => {
    const sub = base();
    sub.publicIdentities.push(
      {
        impu: 'sip:chat!.*!@ims.test',
        identityType: IdentityType.PUBLIC_USER_IDENTITY,
        serviceProfileId: 'default',
      },
      { impu: 'sip:room@ims.test', identityType: IdentityType.WILDCARDED_PSI, serviceProfileId: 'default' },
      { impu: 'sip:conf@ims.test', identityType: IdentityType.DISTINCT_PSI, serviceProfileId: 'default' },
    );
    sub.implicitRegistrationSets = [
      { id: 'irs-1', publicIdentities: ['sip:alice@ims.test', 'sip:conf@ims.test'] },
      { id: 'irs-1', publicIdentities: ['tel:+12015550123', 'sip:alice@ims.test'] },
    ];
    assert.deepEqual(issues(sub), [
      'publicIdentities[2].identityType: a wildcarded identity must be WILDCARDED_PSI (2) or WILDCARDED_IMPU (4)',
      'publicIdentities[3].impu: a wildcarded identity holds a !regex! part (TS 23.003 §13.5)',
      'implicitRegistrationSets[0].publicIdentities[1]: a PSI is not part of an implicit registration set',
      'implicitRegistrationSets[1].id: is used by another set',
      'implicitRegistrationSets[1].publicIdentities[1]: already in implicitRegistrationSets[0]',
    ]);
  });

  it('needs a SIP URI in each set and among user identities (TS 23.228 §4.3.3.2)', () => {
    const sub = newSubscription({ impu: 'tel:+12015550123', realm: 'ims.test', password: 'x' });
    assert.deepEqual(issues(sub), [
      'publicIdentities: at least one public user identity must be a SIP URI (TS 23.228 §4.3.3.2)',
      'implicitRegistrationSets[0].publicIdentities: an implicit registration set must hold at least one SIP URI',
    ]);
  });

  it('lets a PSI-only subscription go without private identity, but not a user', () => {
    const psi: NewSubscription = {
      privateIdentities: [],
      publicIdentities: [
        { impu: 'sip:conf!.*!@ims.test', identityType: IdentityType.WILDCARDED_PSI, serviceProfileId: 'p' },
      ],
      serviceProfiles: [{ id: 'p', initialFilterCriteria: [] }],
    };
    assert.deepEqual(issues(psi), []);
    const user = base();
    user.privateIdentities = [];
    assert.deepEqual(issues(user), [
      'privateIdentities: at least one private identity is required (only PSIs may do without)',
    ]);
  });

  it('checks service profiles, iFCs, capabilities and charging addresses', () => {
    const sub = base();
    sub.serviceProfiles.push({ id: 'unused', initialFilterCriteria: [], sharedIfcSetIds: [1, 1] });
    sub.serviceProfiles[0]!.initialFilterCriteria = [
      { priority: 1, applicationServer: { serverName: 'sip:as.ims.test' } },
      { priority: 1, applicationServer: { serverName: 'as.ims.test' } },
    ];
    sub.serverCapabilities = {
      mandatoryCapabilities: [1, -2],
      optionalCapabilities: [],
      serverNames: ['scscf'],
    };
    sub.chargingInformation = {
      primaryChargingCollectionFunctionName: 'aaa://cdf.ims.test:3868',
      secondaryChargingCollectionFunctionName: 'cdf',
    };
    assert.deepEqual(issues(sub), [
      'serviceProfiles[0].initialFilterCriteria[1].applicationServer.serverName: must be a SIP URI (Annex E tSIP_URL)',
      'serviceProfiles[0].initialFilterCriteria[1].priority: same priority as serviceProfiles[0].initialFilterCriteria[0]',
      'serviceProfiles[1].sharedIfcSetIds[1]: is listed twice',
      'serviceProfiles[1].id: is not used by any public identity',
      'serverCapabilities.mandatoryCapabilities[1]: must be an integer 0..4294967295',
      'serverCapabilities.serverNames[0]: must be a SIP URI',
      'chargingInformation.secondaryChargingCollectionFunctionName: must be a DiameterURI (aaa://host or aaas://host, RFC 6733 §4.3.1)',
    ]);
  });

  it('reports what is not even the right shape', () => {
    assert.deepEqual(validateSubscription(null as never), [{ field: '', message: 'must be an object' }]);
    assert.deepEqual(issues({} as never), [
      'serviceProfiles: at least one service profile is required',
      'publicIdentities: at least one public identity is required',
      'privateIdentities: must be an array',
    ]);
  });
});

describe('normalizeSubscription', () => {
  it('normalises identities everywhere, lowercases hex, drops runtime fields except SQN', () => {
    const sub = base();
    sub.publicIdentities[0]!.impu = 'SIP:alice@IMS.test';
    sub.publicIdentities[0]!.registrationState = 'REGISTERED';
    sub.implicitRegistrationSets![0]!.publicIdentities[1] = 'tel:+1-201-555-0123';
    sub.privateIdentities[0]!.k = K.toUpperCase();
    sub.privateIdentities[0]!.sqn = 99;
    sub.serverAssignment = { scscfName: 'sip:scscf.ims.test' };
    const n = normalizeSubscription(sub);
    assert.equal(n.publicIdentities[0]!.impu, 'sip:alice@ims.test');
    assert.equal(n.publicIdentities[0]!.registrationState, undefined);
    assert.deepEqual(n.implicitRegistrationSets![0]!.publicIdentities, [
      'sip:alice@ims.test',
      'tel:+12015550123',
    ]);
    assert.equal(n.privateIdentities[0]!.k, K);
    assert.equal(n.privateIdentities[0]!.sqn, 99);
    assert.equal(n.serverAssignment, undefined);
    assert.equal(sub.privateIdentities[0]!.k, K.toUpperCase(), 'the input is not changed');
  });
});

describe('subscription helpers', () => {
  const sub = { ...base(), id: 's1' } as Subscription;
  it('implicitRegistrationSetOf gives the set, default identity first', () => {
    assert.deepEqual(implicitRegistrationSetOf(sub, 'tel:+12015550123'), [
      'sip:alice@ims.test',
      'tel:+12015550123',
    ]);
    assert.deepEqual(implicitRegistrationSetOf(sub, 'sip:other@ims.test'), ['sip:other@ims.test']);
  });
  it('publicIdentitiesOf gives what an IMPI may register', () => {
    assert.deepEqual(publicIdentitiesOf(sub, 'alice@ims.test'), ['sip:alice@ims.test', 'tel:+12015550123']);
    assert.deepEqual(publicIdentitiesOf(sub, 'nobody@ims.test'), []);
  });
});
