/**
 * MAR/MAA over Diameter, TS 29.228 §6.3.1, on every backend: AKA vectors checked by a USIM
 * (src/aka), re-synchronisation from AUTS, SIP Digest H(A1), and every error case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Usim } from '../../../src/aka/usim.ts';
import type { MultimediaAuthAnswer, SipAuthDataItem } from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { digestHa1 } from '../../../src/functions/hss/subscriber-defaults.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';
import { backends, CLIENT_HOST, SCSCF_NAME, useEnv } from './helpers/hss-env.ts';
import { impi, impu, K, OPC, subscriber, usim } from './helpers/hss-subscribers.ts';

const experimental = (code: number) => ({ code, vendorId: 10415, success: false });

function items(maa: MultimediaAuthAnswer): SipAuthDataItem[] {
  assert.equal(answerResult(maa).code, ResultCode.DIAMETER_SUCCESS, JSON.stringify(answerResult(maa)));
  return maa.sipAuthDataItem ?? [];
}

/** Runs the USIM on an item: RES must equal XRES, CK and IK the keys the HSS sent. */
function verify(u: Usim, item: SipAuthDataItem): void {
  const challenge = item.sipAuthenticate!;
  assert.equal(challenge.length, 32, 'SIP-Authenticate is RAND ‖ AUTN');
  const out = u.authenticate(challenge.subarray(0, 16), challenge.subarray(16));
  assert.equal(out.outcome, 'authenticated');
  if (out.outcome !== 'authenticated') return;
  assert.deepEqual(out.res, item.sipAuthorization, 'RES = XRES');
  assert.deepEqual(out.ck, item.confidentialityKey);
  assert.deepEqual(out.ik, item.integrityKey);
}

/** Counts the store calls made through `store` while `fn` runs. */
async function storeCalls(store: SubscriberStore, fn: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const target = store as unknown as Record<string, unknown>;
  const names = new Set<string>();
  for (let p = Object.getPrototypeOf(store); p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    for (const n of Object.getOwnPropertyNames(p))
      if (n !== 'constructor' && typeof target[n] === 'function') names.add(n);
  for (const name of names) {
    const original = (target[name] as (...a: unknown[]) => unknown).bind(store);
    target[name] = (...args: unknown[]) => {
      calls.push(name);
      return original(...args);
    };
  }
  try {
    await fn();
  } finally {
    for (const name of names) delete target[name];
  }
  return calls;
}

for (const backend of backends()) {
  describe(`Cx MAR (${backend.name})`, () => {
    const env = useEnv(backend, { auth: { maxVectors: 4 } });
    const mar = (name: string, item: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      env.cx.multimediaAuth({
        userName: impi(name),
        publicIdentity: impu(name),
        sipNumberAuthItems: 1,
        sipAuthDataItem: item,
        serverName: SCSCF_NAME,
        ...extra,
      });

    it('Digest-AKAv1-MD5: the vectors asked for, each accepted by the USIM, SQN stored; one store call', async () => {
      await env.store.createSubscription(subscriber('mar-a'));
      let maa: MultimediaAuthAnswer | undefined;
      const calls = await storeCalls(env.store, async () => {
        maa = await mar('mar-a', { sipAuthenticationScheme: 'Digest-AKAv1-MD5' }, { sipNumberAuthItems: 3 });
      });
      assert.deepEqual(calls, ['updateAuthentication'], 'a MAR is one store call');
      const got = items(maa!);
      // TS 29.229 §6.1.8: User-Name and Public-Identity are echoed (Kamailio's S-CSCF needs them).
      assert.equal(maa!.userName, impi('mar-a'));
      assert.equal(maa!.publicIdentity, impu('mar-a'));
      assert.equal(maa!.sipNumberAuthItems, 3);
      assert.deepEqual(
        got.map((i) => [i.sipItemNumber, i.sipAuthenticationScheme]),
        [1, 2, 3].map((n) => [n, 'Digest-AKAv1-MD5']),
      );
      const u = usim();
      for (const item of got) verify(u, item);
      // TS 33.102 Annex C: SEQ 1, 2, 3 with IND 1, 2, 3; the last one is SQN_HE.
      const stored = await env.store.getSubscriptionByImpi(impi('mar-a'));
      assert.equal(stored?.privateIdentities[0]?.sqn, 3 * 32 + 3);
      // A later MAR continues from there: the USIM accepts it too, no vector is reused.
      verify(u, items(await mar('mar-a', { sipAuthenticationScheme: 'Digest-AKAv1-MD5' }))[0]!);
    });

    it('at most auth.maxVectors items; Digest-AKAv2-MD5 echoed; "Unknown" lets the HSS pick AKAv1', async () => {
      await env.store.createSubscription(subscriber('mar-b'));
      const many = items(
        await mar('mar-b', { sipAuthenticationScheme: 'Digest-AKAv2-MD5' }, { sipNumberAuthItems: 50 }),
      );
      assert.equal(many.length, 4);
      assert.ok(many.every((i) => i.sipAuthenticationScheme === 'Digest-AKAv2-MD5'));
      const picked = items(await mar('mar-b', { sipAuthenticationScheme: 'Unknown' }));
      assert.equal(picked[0]?.sipAuthenticationScheme, 'Digest-AKAv1-MD5');
      const u = usim();
      for (const item of [...many, ...picked]) verify(u, item);
    });

    it('re-synchronisation: the USIM is ahead, sends AUTS; RAND ‖ AUTS gives vectors it accepts', async () => {
      await env.store.createSubscription(subscriber('mar-c'));
      // A USIM that accepted SEQ 1000 in every IND slot (a card used with another HSS, say).
      const ahead = new Usim({
        k: Buffer.from(K, 'hex'),
        opc: Buffer.from(OPC, 'hex'),
        state: { seqMs: new Array<number>(32).fill(1000) },
      });
      const first = items(await mar('mar-c', { sipAuthenticationScheme: 'Digest-AKAv1-MD5' }))[0]!;
      const rand = first.sipAuthenticate!.subarray(0, 16);
      const out = ahead.authenticate(rand, first.sipAuthenticate!.subarray(16));
      assert.equal(out.outcome, 'sync-failure');
      if (out.outcome !== 'sync-failure') return;
      const resynced = items(
        await mar(
          'mar-c',
          { sipAuthenticationScheme: 'Digest-AKAv1-MD5', sipAuthorization: Buffer.concat([rand, out.auts]) },
          { sipNumberAuthItems: 2 },
        ),
      );
      assert.equal(resynced.length, 2);
      for (const item of resynced) verify(ahead, item);
      const sqn = (await env.store.getSubscriptionByImpi(impi('mar-c')))?.privateIdentities[0]?.sqn ?? 0;
      assert.ok(Math.floor(sqn / 32) > 1000, 'SQN_HE continues after SQN_MS');
    });

    it('SIP Digest: SIP-Digest-Authenticate with realm, algorithm, QoP and H(A1); "Digest-MD5" alike', async () => {
      await env.store.createSubscription(subscriber('mar-d'));
      for (const scheme of ['SIP Digest', 'Digest-MD5']) {
        const got = items(await mar('mar-d', { sipAuthenticationScheme: scheme }, { sipNumberAuthItems: 3 }));
        assert.equal(got.length, 1, 'H(A1) does not change: one item');
        assert.equal(got[0]?.sipAuthenticationScheme, 'SIP Digest');
        assert.deepEqual(got[0]?.sipDigestAuthenticate, {
          digestRealm: 'ims.test',
          digestAlgorithm: 'MD5',
          digestQop: 'auth',
          digestHa1: Buffer.from(digestHa1('MD5', impi('mar-d'), 'ims.test', 'pw-mar-d')),
        });
      }
      // A digest MAR does not move the SQN.
      assert.equal((await env.store.getSubscriptionByImpi(impi('mar-d')))?.privateIdentities[0]?.sqn, 0);
    });

    it('stores the S-CSCF name and its Diameter identity (TS 29.228 §6.3.1 step 5)', async () => {
      const sub = await env.store.createSubscription(subscriber('mar-e'));
      items(await mar('mar-e', { sipAuthenticationScheme: 'Digest-AKAv1-MD5' }));
      assert.deepEqual((await env.store.getSubscription(sub.id))?.serverAssignment, {
        scscfName: SCSCF_NAME,
        diameterHost: CLIENT_HOST,
        diameterRealm: 'ims.test',
      });
    });

    it('DIAMETER_ERROR_USER_UNKNOWN for an unknown IMPI or IMPU; IDENTITIES_DONT_MATCH across users', async () => {
      await env.store.createSubscription(subscriber('mar-f'));
      await env.store.createSubscription(subscriber('mar-g'));
      const aka = { sipAuthenticationScheme: 'Digest-AKAv1-MD5' };
      assert.deepEqual(
        answerResult(await mar('mar-nobody', aka)),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.deepEqual(
        answerResult(await mar('mar-f', aka, { publicIdentity: 'sip:nobody@ims.test' })),
        experimental(E.DIAMETER_ERROR_USER_UNKNOWN),
      );
      assert.deepEqual(
        answerResult(await mar('mar-f', aka, { publicIdentity: impu('mar-g') })),
        experimental(E.DIAMETER_ERROR_IDENTITIES_DONT_MATCH),
      );
      assert.equal((await env.store.getSubscriptionByImpi(impi('mar-f')))?.privateIdentities[0]?.sqn, 0);
    });

    it('DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED for a scheme not allowed or not known', async () => {
      const digestOnly = subscriber('mar-h');
      digestOnly.privateIdentities[0]!.allowedSchemes = ['MD5'];
      await env.store.createSubscription(digestOnly);
      for (const scheme of ['Digest-AKAv1-MD5', 'NASS-Bundled', 'Early-IMS-Security']) {
        assert.deepEqual(
          answerResult(await mar('mar-h', { sipAuthenticationScheme: scheme })),
          experimental(E.DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED),
          scheme,
        );
      }
      // "Unknown": the HSS picks what the subscriber has.
      assert.ok(items(await mar('mar-h', { sipAuthenticationScheme: 'Unknown' }))[0]?.sipDigestAuthenticate);
    });

    it('an AUTS that does not verify: UNABLE_TO_COMPLY, SQN unchanged; a malformed one: INVALID_AVP_VALUE', async () => {
      await env.store.createSubscription(subscriber('mar-i'));
      const bad = Buffer.alloc(30, 7);
      const maa = await mar('mar-i', { sipAuthenticationScheme: 'Digest-AKAv1-MD5', sipAuthorization: bad });
      assert.equal(answerResult(maa).code, ResultCode.DIAMETER_UNABLE_TO_COMPLY);
      assert.equal((await env.store.getSubscriptionByImpi(impi('mar-i')))?.privateIdentities[0]?.sqn, 0);
      const short = await mar('mar-i', {
        sipAuthenticationScheme: 'Digest-AKAv1-MD5',
        sipAuthorization: Buffer.alloc(12),
      });
      assert.equal(answerResult(short).code, ResultCode.DIAMETER_INVALID_AVP_VALUE);
    });
  });
}
