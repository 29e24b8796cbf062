/**
 * S-CSCF registration against a real HSS over Diameter (TS 24.229 §5.4.1.2, §5.4.1.4; RFC 3261
 * §10.3): digest and AKA, re-synchronisation, refusals, re-registration, de-registration,
 * binding rules (423, wildcard, RFC 5626 instance/reg-id, CSeq order), expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Usim } from '../../../src/aka/usim.ts';
import { newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import { P_ASSOCIATED_URI, SERVICE_ROUTE } from '../../../src/sip/message/index.ts';
import { akaUser, digestUser, K, OPC, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

const usim = () => new Usim({ k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') });
/** A USIM that has accepted SEQ 1000 in every IND slot: the HSS's first vector is too old for it. */
const usimAhead = () =>
  new Usim({
    k: Buffer.from(K, 'hex'),
    opc: Buffer.from(OPC, 'hex'),
    state: { seqMs: new Array<number>(32).fill(1000) },
  });

describe('S-CSCF registration (real HSS over Diameter)', () => {
  let env: ScscfEnv;
  const ues: TestUe[] = [];
  const ue = async () => {
    const u = await TestUe.start(env.port);
    ues.push(u);
    return u;
  };
  const hssState = async (impu: string) => {
    const match = await env.hss.store.getSubscriptionByImpu(impu);
    return match?.publicIdentity.registrationState ?? 'NOT_REGISTERED';
  };
  /** TS 24.229 §5.4.1.4: the 200 to a de-registration goes first, the SAR after it. */
  const hssStateAfterSar = async (impu: string, expected: string) => {
    const until = Date.now() + 5000;
    let state = await hssState(impu);
    while (state !== expected && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      state = await hssState(impu);
    }
    return state;
  };

  before(async () => {
    env = await startScscfEnv({ minExpires: 2, maxExpires: 3600, defaultExpires: 600 });
  });
  after(async () => {
    for (const u of ues) await u.close();
    await env.stop();
  });

  it('digest: 401 with the HSS realm and MD5, then 200 with Service-Route, P-Associated-URI, Path echoed', async () => {
    await env.provision(digestUser('dana', { tel: '+12015550100' }));
    const u = await ue();
    const r = await u.register({
      impu: 'sip:dana@ims.test',
      impi: 'dana@ims.test',
      secret: { password: 'pw-dana' },
      expires: 300,
      headers: [
        ['Path', '<sip:term@pcscf.ims.test:5060;lr>'],
        ['Supported', 'path'],
      ],
    });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.challenges.length, 1);
    assert.equal(r.challenges[0]!.algorithm, 'MD5');
    assert.equal(r.challenges[0]!.realm, 'ims.test');
    const res = r.response;
    assert.deepEqual(
      res.all(SERVICE_ROUTE).map((s) => s.uriText),
      [`sip:orig@127.0.0.1:${env.port};lr`],
    );
    assert.deepEqual(
      res.all(P_ASSOCIATED_URI).map((p) => p.uriText),
      ['sip:dana@ims.test', 'tel:+12015550100'],
    );
    assert.deepEqual(res.headers.values('Path'), ['<sip:term@pcscf.ims.test:5060;lr>']);
    const contact = res.contacts[0];
    assert.ok(contact !== undefined && contact !== '*');
    assert.equal(contact.uriText, u.contactUri());
    assert.ok(contact.expires! > 295 && contact.expires! <= 300);
    const record = await env.scscf.registrations.get('tel:+12015550100');
    assert.equal(record?.state, 'registered');
    assert.equal(record?.impi, 'dana@ims.test');
    assert.deepEqual(record?.bindings[0]?.path, ['<sip:term@pcscf.ims.test:5060;lr>']);
    assert.equal(record?.bindings[0]?.pcscf, 'sip:term@pcscf.ims.test:5060;lr');
    assert.equal(await hssState('sip:dana@ims.test'), 'REGISTERED');
    assert.equal((await env.scscf.status()).registeredUsers, 1);
  });

  it('a first REGISTER without Authorization (baresip) is challenged for the IMPI derived from To', async () => {
    await env.provision(digestUser('bart'));
    const u = await ue();
    const r = await u.register({ impu: 'sip:bart@ims.test', secret: { password: 'pw-bart' }, expires: 120 });
    assert.equal(r.response.status, 200);
    assert.equal((await env.scscf.registrations.get('sip:bart@ims.test'))?.impi, 'bart@ims.test');
  });

  it('a subscriber with a password and AKA keys: a plain phone gets digest, an IMS UE gets AKA', async () => {
    await env.provision(newSubscription({ impu: 'sip:both@ims.test', password: 'pw-both', k: K, opc: OPC }));
    // No Authorization at all (baresip, linphone): SIP Digest is asked first.
    const phone = await ue();
    const plain = await phone.register({
      impu: 'sip:both@ims.test',
      secret: { password: 'pw-both' },
      expires: 120,
    });
    assert.equal(plain.response.status, 200, plain.response.reason);
    assert.equal(plain.challenges[0]!.algorithm, 'MD5');
    // An Authorization with the IMPI and an empty nonce (TS 24.229 §5.1.1.2.1): AKA.
    const imsUe = await ue();
    const aka = await imsUe.register({
      impu: 'sip:both@ims.test',
      impi: 'both@ims.test',
      secret: { usim: usim() },
      expires: 120,
    });
    assert.equal(aka.response.status, 200, aka.response.reason);
    assert.equal(aka.challenges[0]!.algorithm, 'AKAv1-MD5');
  });

  it('an AKA-only subscriber registering from a plain phone still gets its AKA challenge', async () => {
    await env.provision(akaUser('akaonly'));
    const phone = await ue();
    const r = await phone.register({ impu: 'sip:akaonly@ims.test', secret: { usim: usim() }, expires: 120 });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.challenges[0]!.algorithm, 'AKAv1-MD5');
  });

  it('the real IMPI learnt from the second REGISTER when it differs from the derived one', async () => {
    await env.provision(digestUser('carl', { impi: 'carl.private@ims.test' }));
    const u = await ue();
    const first = u.build('REGISTER', 'sip:ims.test', {
      from: 'sip:carl@ims.test',
      to: 'sip:carl@ims.test',
      callId: u.callId,
      contact: `<${u.contactUri()}>`,
    });
    // The derived IMPI carl@ims.test does not exist: the HSS says so and the S-CSCF refuses.
    assert.equal((await u.send(first)).status, 403);
    const r = await u.register({
      impu: 'sip:carl@ims.test',
      impi: 'carl.private@ims.test',
      secret: { password: 'pw-carl' },
    });
    assert.equal(r.response.status, 200);
    assert.equal((await env.scscf.registrations.get('sip:carl@ims.test'))?.impi, 'carl.private@ims.test');
  });

  it('a wrong password gets 403 and the challenge is forgotten', async () => {
    await env.provision(digestUser('wendy'));
    const u = await ue();
    const r = await u.register({
      impu: 'sip:wendy@ims.test',
      impi: 'wendy@ims.test',
      secret: { password: 'wrong' },
      rounds: 1,
    });
    assert.equal(r.response.status, 403);
    assert.equal(await hssState('sip:wendy@ims.test'), 'NOT_REGISTERED');
    assert.equal(await env.scscf.registrations.get('sip:wendy@ims.test'), undefined);
  });

  it('an unknown user gets 403 from the MAR result', async () => {
    const u = await ue();
    const r = await u.register({
      impu: 'sip:nobody@ims.test',
      impi: 'nobody@ims.test',
      secret: { password: 'x' },
    });
    assert.equal(r.response.status, 403);
    assert.equal(r.challenges.length, 0);
  });

  it('AKA: Digest-AKAv1-MD5 challenge with ik/ck, RES verified, then re-registration with a new vector', async () => {
    await env.provision(akaUser('alice'));
    const u = await ue();
    const sim = usim();
    const r = await u.register({
      impu: 'sip:alice@ims.test',
      impi: 'alice@ims.test',
      secret: { usim: sim },
      expires: 600,
    });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.challenges[0]!.algorithm, 'AKAv1-MD5');
    assert.match(r.challenges[0]!.ik ?? '', /^[0-9a-f]{32}$/);
    assert.match(r.challenges[0]!.ck ?? '', /^[0-9a-f]{32}$/);
    assert.equal(await hssState('sip:alice@ims.test'), 'REGISTERED');
    // Re-registration: a new challenge (the vector was spent) and SAR RE_REGISTRATION.
    const again = await u.register({
      impu: 'sip:alice@ims.test',
      impi: 'alice@ims.test',
      secret: { usim: sim },
      expires: 600,
    });
    assert.equal(again.response.status, 200);
    assert.equal(again.challenges.length, 1);
    assert.notEqual(again.challenges[0]!.nonce, r.challenges[0]!.nonce);
    const record = await env.scscf.registrations.get('sip:alice@ims.test');
    assert.equal(record?.bindings.length, 1, 'the same contact refreshed, not added');
  });

  it('AKA re-synchronisation: a USIM ahead of the HSS sends auts, the S-CSCF gets a new vector, 200', async () => {
    await env.provision(akaUser('rita'));
    const sim = usimAhead();
    const u = await ue();
    const r = await u.register({
      impu: 'sip:rita@ims.test',
      impi: 'rita@ims.test',
      secret: { usim: sim },
      rounds: 3,
    });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.challenges.length, 2, 'challenge, resync, challenge');
    assert.ok(r.sent[0]!.auts !== undefined, 'the first answer carried auts');
    assert.equal(r.sent[1]!.auts, undefined);
  });

  it('AKA re-synchronisation from a UE that sends response="" with its auts', async () => {
    await env.provision(akaUser('rosa'));
    const sim = usimAhead();
    const u = await ue();
    const r = await u.register({
      impu: 'sip:rosa@ims.test',
      impi: 'rosa@ims.test',
      secret: { usim: sim },
      rounds: 3,
      quirk: (c) => (c.auts === undefined ? c : { ...c, response: '' }),
    });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.sent[0]!.response, '');
    assert.ok(r.sent[0]!.auts !== undefined);
    assert.equal(r.challenges.length, 2, 'challenge, resync, challenge');
  });

  it('several UEs register in parallel', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const n of names) await env.provision(digestUser(n));
    const results = await Promise.all(
      names.map(async (n) => {
        const u = await ue();
        return u.register({
          impu: `sip:${n}@ims.test`,
          impi: `${n}@ims.test`,
          secret: { password: `pw-${n}` },
        });
      }),
    );
    assert.deepEqual(
      results.map((r) => r.response.status),
      names.map(() => 200),
    );
  });

  it('423 with Min-Expires below the minimum; expires clamped to the maximum', async () => {
    await env.provision(digestUser('eve'));
    const u = await ue();
    const short = await u.register({
      impu: 'sip:eve@ims.test',
      impi: 'eve@ims.test',
      secret: { password: 'pw-eve' },
      expires: 1,
    });
    assert.equal(short.response.status, 423);
    assert.equal(short.response.headers.get('Min-Expires'), '2');
    const long = await u.register({
      impu: 'sip:eve@ims.test',
      impi: 'eve@ims.test',
      secret: { password: 'pw-eve' },
      expires: 99999,
    });
    assert.equal(long.response.status, 200);
    const c = long.response.contacts[0];
    assert.ok(c !== undefined && c !== '*' && c.expires! <= 3600 && c.expires! > 3590);
  });

  it('RFC 5626: the same +sip.instance and reg-id replaces the binding; 200 lists every binding', async () => {
    await env.provision(digestUser('olga'));
    const u = await ue();
    const opts = { impu: 'sip:olga@ims.test', impi: 'olga@ims.test', secret: { password: 'pw-olga' } };
    const inst = ';+sip.instance="<urn:uuid:00000000-0000-0000-0000-000000000001>";reg-id=1';
    assert.equal((await u.register({ ...opts, contactUser: 'a', contactParams: inst })).response.status, 200);
    assert.equal((await u.register({ ...opts, contactUser: 'b' })).response.status, 200);
    const r = await u.register({ ...opts, contactUser: 'c', contactParams: inst });
    assert.equal(r.response.status, 200);
    const uris = r.response.contacts.map((c) => (c === '*' ? '*' : c.uriText)).sort();
    assert.deepEqual(uris, [u.contactUri('b'), u.contactUri('c')]);
    const record = await env.scscf.registrations.get('sip:olga@ims.test');
    const b = record?.bindings.find((x) => x.contact === u.contactUri('c'));
    assert.equal(b?.instanceId, 'urn:uuid:00000000-0000-0000-0000-000000000001');
    assert.equal(b?.regId, 1);
  });

  it('RFC 3261 §10.3 step 7: an older CSeq of the same Call-ID is refused', async () => {
    await env.provision(digestUser('otto'));
    const u = await ue();
    const r = await u.register({
      impu: 'sip:otto@ims.test',
      impi: 'otto@ims.test',
      secret: { password: 'pw-otto' },
    });
    assert.equal(r.response.status, 200);
    const cred = r.sent.at(-1)!;
    const { credentialsToParams } = await import('../../../src/sip/auth/index.ts');
    const { formatAuth } = await import('../../../src/sip/message/index.ts');
    // Reuse the digest nonce with nc=2 but a CSeq lower than the stored one.
    const { answerDigestChallenge } = await import('../../../src/sip/auth/index.ts');
    const again = answerDigestChallenge(
      r.challenges[0]!,
      'otto@ims.test',
      { password: 'pw-otto' },
      { method: 'REGISTER', uri: 'sip:ims.test' },
      { nc: 2 },
    );
    assert.equal(cred.nonce, again.nonce);
    const old = u.build('REGISTER', 'sip:ims.test', {
      from: 'sip:otto@ims.test',
      to: 'sip:otto@ims.test',
      callId: u.callId,
      contact: `<${u.contactUri()}>`,
      headers: [['Authorization', formatAuth(credentialsToParams(again), 'credentials')]],
    });
    old.headers.set('CSeq', '1 REGISTER');
    assert.equal((await u.send(old)).status, 500);
  });

  it('de-registration by the UE (expires 0): SAR USER_DEREGISTRATION clears the HSS, record removed', async () => {
    await env.provision(digestUser('dora'));
    const u = await ue();
    const opts = { impu: 'sip:dora@ims.test', impi: 'dora@ims.test', secret: { password: 'pw-dora' } };
    assert.equal((await u.register(opts)).response.status, 200);
    assert.equal(await hssState('sip:dora@ims.test'), 'REGISTERED');
    const r = await u.register({ ...opts, expires: 0 });
    assert.equal(r.response.status, 200);
    assert.equal(r.response.contacts.length, 0);
    assert.equal(await env.scscf.registrations.get('sip:dora@ims.test'), undefined);
    assert.equal(await hssStateAfterSar('sip:dora@ims.test', 'NOT_REGISTERED'), 'NOT_REGISTERED');
  });

  it('Contact * with Expires 0 removes every binding; * with another expiry is a 400', async () => {
    await env.provision(digestUser('stan'));
    const u = await ue();
    const opts = { impu: 'sip:stan@ims.test', impi: 'stan@ims.test', secret: { password: 'pw-stan' } };
    assert.equal((await u.register({ ...opts, contactUser: 'x' })).response.status, 200);
    assert.equal((await u.register({ ...opts, contactUser: 'y' })).response.status, 200);
    assert.equal((await u.register({ ...opts, contact: '*', expires: 60 })).response.status, 400);
    assert.equal((await u.register({ ...opts, contact: '*', expires: 0 })).response.status, 200);
    assert.equal(await env.scscf.registrations.get('sip:stan@ims.test'), undefined);
    assert.equal(await hssStateAfterSar('sip:stan@ims.test', 'NOT_REGISTERED'), 'NOT_REGISTERED');
  });

  it('expiry: a binding not refreshed ends the registration with SAR TIMEOUT_DEREGISTRATION', async () => {
    await env.provision(digestUser('tim'));
    const u = await ue();
    const r = await u.register({
      impu: 'sip:tim@ims.test',
      impi: 'tim@ims.test',
      secret: { password: 'pw-tim' },
      expires: 2,
    });
    assert.equal(r.response.status, 200);
    assert.equal(await hssState('sip:tim@ims.test'), 'REGISTERED');
    const until = Date.now() + 6000;
    while ((await hssState('sip:tim@ims.test')) !== 'NOT_REGISTERED') {
      assert.ok(Date.now() < until, 'the registration did not expire');
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(await env.scscf.registrations.get('sip:tim@ims.test'), undefined);
  });

  it('admin de-registration: SAR ADMINISTRATIVE_DEREGISTRATION, record removed', async () => {
    await env.provision(digestUser('adam'));
    const u = await ue();
    assert.equal(
      (
        await u.register({
          impu: 'sip:adam@ims.test',
          impi: 'adam@ims.test',
          secret: { password: 'pw-adam' },
        })
      ).response.status,
      200,
    );
    assert.equal(await env.scscf.deregister('sip:adam@ims.test'), true);
    assert.equal(await env.scscf.registrations.get('sip:adam@ims.test'), undefined);
    assert.equal(await hssState('sip:adam@ims.test'), 'NOT_REGISTERED');
    assert.equal(await env.scscf.deregister('sip:adam@ims.test'), false);
  });

  it('SAR UNREGISTERED_USER: an unregistered record with the profile; undefined for an unknown user', async () => {
    await env.provision(digestUser('una'));
    const record = await env.scscf.assignUnregistered('sip:una@ims.test');
    assert.equal(record?.state, 'unregistered');
    assert.equal(record?.impi, 'una@ims.test');
    assert.deepEqual(record?.bindings, []);
    assert.ok(record?.userData.includes('sip:una@ims.test'));
    assert.equal(await hssState('sip:una@ims.test'), 'UNREGISTERED');
    assert.equal(await env.scscf.assignUnregistered('sip:ghost@ims.test'), undefined);
    // A registration replaces it.
    const u = await ue();
    const r = await u.register({
      impu: 'sip:una@ims.test',
      impi: 'una@ims.test',
      secret: { password: 'pw-una' },
    });
    assert.equal(r.response.status, 200);
    assert.equal((await env.scscf.registrations.get('sip:una@ims.test'))?.state, 'registered');
  });

  it('a REGISTER requiring an unknown extension gets 420', async () => {
    const u = await ue();
    const r = await u.register({
      impu: 'sip:x@ims.test',
      impi: 'x@ims.test',
      secret: { password: 'x' },
      headers: [['Require', 'foo']],
    });
    assert.equal(r.response.status, 420);
    assert.equal(r.response.headers.get('Unsupported'), 'foo');
  });
});
