/**
 * Contract of `updateAuthentication` (the MAR's one store call), run against both backends:
 * SQLite always, PostgreSQL when IMS_TEST_PG_URL is set (an unreachable server fails the suite).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubscriberStore } from '../../src/store/subscriber-store.ts';
import { rejectsWith, storeTest } from './contract-provisioning.ts';
import { pgHarness, type StoreHarness, sqliteHarness } from './helpers/harness.ts';
import { subscriber } from './helpers/subscribers.ts';

const SCSCF = {
  scscfName: 'sip:scscf.ims.test:6060',
  diameterHost: 'scscf.ims.test',
  diameterRealm: 'ims.test',
};

function contract(harness: StoreHarness): void {
  const test = (fn: (store: SubscriberStore) => Promise<void>) => storeTest(harness, fn);

  it(
    'hands over auth data, the IMPU registration and the S-CSCF; stores SQN and S-CSCF together',
    test(async (store) => {
      const sub = await store.createSubscription(subscriber('alice', '+12015550001'));
      const result = await store.updateAuthentication('alice@ims.test', 'sip:alice@ims.test', (s) => {
        assert.equal(s.sqn, 0);
        assert.equal(s.subscriptionId, sub.id);
        assert.deepEqual(s.publicIdentity, {
          impu: 'sip:alice@ims.test',
          registrationState: 'NOT_REGISTERED',
          registeredPrivateIdentities: [],
        });
        assert.equal(s.serverAssignment, undefined);
        return { sqn: 64, serverAssignment: SCSCF, result: 'ok' };
      });
      assert.equal(result, 'ok');
      const stored = await store.getSubscription(sub.id);
      assert.equal(stored?.privateIdentities[0]?.sqn, 64);
      assert.deepEqual(stored?.serverAssignment, SCSCF);
      // The IMPU is looked up in its normal form; the stored assignment is handed back.
      await store.updateAuthentication('alice@ims.test', 'tel:+1-201-555-0001', (s) => {
        assert.equal(s.publicIdentity?.impu, 'tel:+12015550001');
        assert.deepEqual(s.serverAssignment, SCSCF);
        return { result: null };
      });
    }),
  );

  it(
    'no publicIdentity for an IMPU of another subscription or none; nothing changes when fn throws',
    test(async (store) => {
      await store.createSubscription(subscriber('alice'));
      await store.createSubscription(subscriber('bob'));
      for (const impu of ['sip:bob@ims.test', 'sip:nobody@ims.test', 'not a uri'])
        await store.updateAuthentication('alice@ims.test', impu, (s) => {
          assert.equal(s.publicIdentity, undefined, impu);
          return { result: null };
        });
      await assert.rejects(
        store.updateAuthentication('alice@ims.test', 'sip:alice@ims.test', () => {
          throw new Error('MAC-S');
        }),
        /MAC-S/,
      );
      await rejectsWith(
        store.updateAuthentication('alice@ims.test', 'sip:alice@ims.test', () => ({
          sqn: 8,
          serverAssignment: { scscfName: '' },
          result: 0,
        })),
        'INVALID',
      );
      const alice = await store.getSubscriptionByImpi('alice@ims.test');
      assert.equal(alice?.privateIdentities[0]?.sqn, 0);
      assert.equal(alice?.serverAssignment, undefined);
      await rejectsWith(
        store.updateAuthentication('nobody@ims.test', 'sip:alice@ims.test', () => ({ result: 0 })),
        'NOT_FOUND',
        'impi',
      );
    }),
  );

  it(
    'concurrent callers run one after the other: no SQN is handed out twice',
    test(async (store) => {
      await store.createSubscription(subscriber('alice'));
      const got = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.updateAuthentication('alice@ims.test', 'sip:alice@ims.test', (s) => ({
            sqn: s.sqn + 32,
            serverAssignment: SCSCF,
            result: s.sqn + 32,
          })),
        ),
      );
      assert.equal(new Set(got).size, 20);
      assert.equal((await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn, 640);
    }),
  );
}

describe('SubscriberStore.updateAuthentication (SQLite)', () => contract(sqliteHarness));

const url = process.env.IMS_TEST_PG_URL;
if (url !== undefined && url !== '')
  describe('SubscriberStore.updateAuthentication (PostgreSQL)', () => contract(pgHarness(url)));
