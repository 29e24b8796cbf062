/** Contract tests, provisioning half: create, read, update, delete, list, lookups, bulk import. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewSubscription } from '../../src/functions/hss/model.ts';
import { IdentityType } from '../../src/ims/identity.ts';
import { StoreError } from '../../src/store/store-error.ts';
import type { SubscriberStore } from '../../src/store/subscriber-store.ts';
import type { StoreHarness } from './helpers/harness.ts';
import { subscriber, wildcardPsi } from './helpers/subscribers.ts';

export function storeTest(
  harness: StoreHarness,
  fn: (store: SubscriberStore) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const fresh = await harness.fresh();
    try {
      await fn(fresh.store);
    } finally {
      await fresh.dispose();
    }
  };
}

/** Asserts `promise` rejects with a StoreError of `code` (and `field` when given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: StoreError['code'],
  field?: string,
): Promise<StoreError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (field !== undefined) assert.equal(err.field, field, err.message);
    return err;
  }
  assert.fail(`expected StoreError ${code}`);
}

export function provisioningContract(harness: StoreHarness): void {
  const test = (fn: (store: SubscriberStore) => Promise<void>) => storeTest(harness, fn);

  describe('provisioning', () => {
    it(
      'creates a subscription and finds it by id, IMPU (any spelling) and IMPI',
      test(async (store) => {
        const input = subscriber('alice', '+12015550123');
        const created = await store.createSubscription(input);
        assert.match(created.id, /^[0-9a-f-]{36}$/);
        assert.deepEqual(
          created.publicIdentities.map((p) => [p.impu, p.registrationState, p.registeredPrivateIdentities]),
          [
            ['sip:alice@ims.test', 'NOT_REGISTERED', []],
            ['tel:+12015550123', 'NOT_REGISTERED', []],
          ],
        );
        assert.deepEqual(created.privateIdentities, input.privateIdentities);
        assert.deepEqual(created.serviceProfiles, input.serviceProfiles);
        assert.deepEqual(created.implicitRegistrationSets, input.implicitRegistrationSets);
        assert.deepEqual(await store.getSubscription(created.id), created);
        const byTel = await store.getSubscriptionByImpu('tel:+1-201-555-0123');
        assert.deepEqual(byTel, {
          subscription: created,
          publicIdentity: created.publicIdentities[1],
          wildcarded: false,
        });
        assert.deepEqual(
          (await store.getSubscriptionByImpu('SIP:alice@IMS.TEST;user=phone'))?.subscription,
          created,
        );
        assert.deepEqual(await store.getSubscriptionByImpi('alice@ims.test'), created);
        assert.equal(await store.getSubscriptionByImpu('sip:nobody@ims.test'), undefined);
        assert.equal(await store.getSubscriptionByImpu('not a uri'), undefined);
        assert.equal(await store.getSubscriptionByImpi('nobody@ims.test'), undefined);
        assert.equal(await store.getSubscription('nope'), undefined);
        assert.equal(await store.countSubscriptions(), 1);
      }),
    );

    it(
      'keeps a given id and the provisioned SQN; INVALID lists every field at fault',
      test(async (store) => {
        const input = { ...subscriber('bob'), id: 'sub-bob' };
        input.privateIdentities[0]!.sqn = 4096;
        const created = await store.createSubscription(input);
        assert.equal(created.id, 'sub-bob');
        assert.equal(created.privateIdentities[0]?.sqn, 4096);
        const bad = subscriber('carol');
        bad.privateIdentities[0]!.k = 'xyz';
        bad.publicIdentities[0]!.serviceProfileId = 'none';
        const err = await rejectsWith(store.createSubscription(bad), 'INVALID');
        assert.deepEqual(err.issues, [
          {
            field: 'publicIdentities[0].serviceProfileId',
            message: 'must name a service profile of this subscription',
          },
          { field: 'serviceProfiles[0].id', message: 'is not used by any public identity' },
          { field: 'privateIdentities[0].k', message: 'must be 32 hex digits' },
        ]);
        assert.equal(await store.countSubscriptions(), 1);
      }),
    );

    it(
      'CONFLICT on a taken identity writes nothing (no partial write)',
      test(async (store) => {
        const alice = await store.createSubscription(subscriber('alice'));
        const second = subscriber('dave');
        second.publicIdentities.push({
          impu: 'sip:alice@ims.test',
          identityType: IdentityType.PUBLIC_USER_IDENTITY,
          serviceProfileId: 'default',
        });
        const err = await rejectsWith(
          store.createSubscription(second),
          'CONFLICT',
          'publicIdentities[1].impu',
        );
        assert.match(err.message, new RegExp(alice.id));
        assert.equal(await store.getSubscriptionByImpu('sip:dave@ims.test'), undefined);
        assert.equal(await store.getSubscriptionByImpi('dave@ims.test'), undefined);
        assert.equal(await store.countSubscriptions(), 1);
        const sameImpi = subscriber('erin');
        sameImpi.privateIdentities[0]!.impi = 'alice@ims.test';
        await rejectsWith(store.createSubscription(sameImpi), 'CONFLICT', 'privateIdentities[0].impi');
        await rejectsWith(
          store.createSubscription({ ...subscriber('frank'), id: alice.id }),
          'CONFLICT',
          'id',
        );
        assert.equal(await store.countSubscriptions(), 1);
        assert.deepEqual(await store.getSubscription(alice.id), alice);
      }),
    );

    it(
      'updates identities and profiles but keeps runtime state (SQN, registration, S-CSCF)',
      test(async (store) => {
        const created = await store.createSubscription(subscriber('alice', '+12015550123'));
        await store.updateAuthState('alice@ims.test', (s) => ({ sqn: s.sqn + 64, result: undefined }));
        await store.updateRegistration('sip:alice@ims.test', (v) => ({
          ...v,
          serverAssignment: { scscfName: 'sip:scscf.ims.test' },
          publicIdentities: v.publicIdentities.map((p) => ({
            ...p,
            registrationState: 'REGISTERED',
            registeredPrivateIdentities: ['alice@ims.test'],
          })),
        }));
        const next: NewSubscription = structuredClone(created);
        next.privateIdentities[0]!.sqn = 0; // stale value from an old GET: ignored
        next.privateIdentities[0]!.amf = 'ffff';
        next.privateIdentities.push({ ...subscriber('alice2').privateIdentities[0]!, sqn: 7 });
        next.publicIdentities = next.publicIdentities.filter((p) => p.impu !== 'tel:+12015550123');
        next.publicIdentities.push({
          impu: 'sip:alice.work@ims.test',
          identityType: 0,
          serviceProfileId: 'default',
          displayName: 'Work',
        });
        next.implicitRegistrationSets = [{ id: 'irs-1', publicIdentities: ['sip:alice@ims.test'] }];
        const updated = await store.updateSubscription(created.id, next);
        assert.equal(updated.id, created.id);
        assert.deepEqual(
          updated.privateIdentities.map((p) => [p.impi, p.sqn, p.amf]),
          [
            ['alice@ims.test', 64, 'ffff'],
            ['alice2@ims.test', 7, '8000'],
          ],
        );
        assert.deepEqual(
          updated.publicIdentities.map((p) => [p.impu, p.registrationState, p.displayName]),
          [
            ['sip:alice@ims.test', 'REGISTERED', undefined],
            ['sip:alice.work@ims.test', 'NOT_REGISTERED', 'Work'],
          ],
        );
        assert.deepEqual(updated.serverAssignment, { scscfName: 'sip:scscf.ims.test' });
        assert.equal(await store.getSubscriptionByImpu('tel:+12015550123'), undefined);
        assert.equal((await store.getSubscriptionByImpi('alice2@ims.test'))?.id, created.id);
        await rejectsWith(store.updateSubscription('nope', next), 'NOT_FOUND', 'id');
      }),
    );

    it(
      'an update that conflicts changes nothing',
      test(async (store) => {
        await store.createSubscription(subscriber('bob'));
        const alice = await store.createSubscription(subscriber('alice'));
        const next = structuredClone(alice) as NewSubscription;
        next.publicIdentities[0]!.displayName = 'changed';
        next.publicIdentities.push({
          impu: 'sip:bob@ims.test',
          identityType: 0,
          serviceProfileId: 'default',
        });
        await rejectsWith(store.updateSubscription(alice.id, next), 'CONFLICT', 'publicIdentities[1].impu');
        assert.deepEqual(await store.getSubscription(alice.id), alice);
      }),
    );

    it(
      'deletes a subscription with its identities; NOT_FOUND the second time',
      test(async (store) => {
        const alice = await store.createSubscription(subscriber('alice', '+12015550123'));
        await store.updateRepositoryData('sip:alice@ims.test', {
          serviceIndication: 'mmtel',
          sequenceNumber: 0,
          data: '<x/>',
        });
        await store.deleteSubscription(alice.id);
        assert.equal(await store.getSubscription(alice.id), undefined);
        assert.equal(await store.getSubscriptionByImpu('tel:+12015550123'), undefined);
        assert.equal(await store.getSubscriptionByImpi('alice@ims.test'), undefined);
        assert.deepEqual(await store.listRepositoryData('sip:alice@ims.test'), []);
        await rejectsWith(store.deleteSubscription(alice.id), 'NOT_FOUND');
        // The identities are free again.
        await store.createSubscription(subscriber('alice', '+12015550123'));
      }),
    );

    it(
      'matches wildcarded PSIs (TS 23.003 §13.5): exact first, then the most specific wildcard',
      test(async (store) => {
        const chat = await store.createSubscription(wildcardPsi('sip:chat-!.*!@ims.test'));
        const vip = await store.createSubscription(
          wildcardPsi('sip:chat-vip-!.*!@ims.test', 'sip:vip.ims.test'),
        );
        const exact = await store.createSubscription(subscriber('chat-vip-boss'));
        const m1 = await store.getSubscriptionByImpu('sip:chat-42@IMS.test');
        assert.equal(m1?.subscription.id, chat.id);
        assert.equal(m1?.publicIdentity.impu, 'sip:chat-!.*!@ims.test');
        assert.equal(m1?.wildcarded, true);
        assert.equal((await store.getSubscriptionByImpu('sip:chat-vip-7@ims.test'))?.subscription.id, vip.id);
        assert.equal(
          (await store.getSubscriptionByImpu('sip:chat-vip-boss@ims.test'))?.subscription.id,
          exact.id,
        );
        assert.equal((await store.getSubscriptionByImpu('sip:chat-vip-boss@ims.test'))?.wildcarded, false);
        const byWildcard = await store.getSubscriptionByImpu('sip:chat-!.*!@ims.test');
        assert.deepEqual([byWildcard?.subscription.id, byWildcard?.wildcarded], [chat.id, false]);
        assert.equal(await store.getSubscriptionByImpu('sip:chat@ims.test'), undefined);
        assert.equal(await store.getSubscriptionByImpu('sip:chat-1@other.test'), undefined);
      }),
    );

    it(
      'lists in creation order with pages, a total and a search on IMPU or IMPI',
      test(async (store) => {
        for (const name of ['ann', 'ben', 'cat', 'dan', 'eve'])
          await store.createSubscription(subscriber(name));
        const first = await store.listSubscriptions({ limit: 2 });
        assert.deepEqual(
          first.items.map((s) => s.publicIdentities[0]?.impu),
          ['sip:ann@ims.test', 'sip:ben@ims.test'],
        );
        assert.equal(first.total, 5);
        const second = await store.listSubscriptions({ limit: 2, cursor: first.nextCursor! });
        assert.deepEqual(
          second.items.map((s) => s.privateIdentities[0]?.impi),
          ['cat@ims.test', 'dan@ims.test'],
        );
        const last = await store.listSubscriptions({ limit: 2, cursor: second.nextCursor! });
        assert.equal(last.items.length, 1);
        assert.equal(last.nextCursor, undefined);
        const found = await store.listSubscriptions({ search: 'N@IMS', limit: 2 });
        assert.deepEqual(
          found.items.map((s) => s.privateIdentities[0]?.impi),
          ['ann@ims.test', 'ben@ims.test'],
        );
        assert.equal(found.total, 3);
        const rest = await store.listSubscriptions({ search: 'N@IMS', limit: 2, cursor: found.nextCursor! });
        assert.deepEqual(
          rest.items.map((s) => s.privateIdentities[0]?.impi),
          ['dan@ims.test'],
        );
        assert.equal(
          (await store.listSubscriptions({ search: '%' })).total,
          0,
          'LIKE characters are literal',
        );
        await rejectsWith(store.listSubscriptions({ cursor: 'garbage' }), 'INVALID', 'cursor');
        await assert.rejects(async () => store.listSubscriptions({ limit: 0 }), StoreError);
      }),
    );

    it(
      'bulk-imports in batches, reports bad records by position and keeps the good ones',
      test(async (store) => {
        await store.createSubscription(subscriber('taken'));
        function* source(): Generator<NewSubscription> {
          for (let i = 0; i < 2500; i++) {
            if (i === 10) yield subscriber('taken');
            // Its IMPI is new, its tel IMPU is record 5's: the IMPI row written first must go too.
            else if (i === 20) yield subscriber('fresh', '+12011000005');
            else if (i === 1500) yield { ...subscriber(`u${i}`), serviceProfiles: [] };
            else if (i === 2000) yield subscriber('u1999');
            else yield subscriber(`u${i}`, `+1201${String(1000000 + i)}`);
          }
        }
        const progress: number[] = [];
        const result = await store.bulkImport(source(), {
          batchSize: 1000,
          onProgress: (p) => progress.push(p.imported),
        });
        assert.equal(result.processed, 2500);
        assert.equal(result.imported, 2496);
        assert.equal(result.failed, 4);
        assert.equal(result.stopped, false);
        assert.deepEqual(
          result.failures.map((f) => [f.index, (f.error as StoreError).code, (f.error as StoreError).field]),
          [
            [10, 'CONFLICT', 'privateIdentities[0].impi'],
            [20, 'CONFLICT', 'publicIdentities[1].impu'],
            [1500, 'INVALID', undefined],
            [2000, 'CONFLICT', 'privateIdentities[0].impi'],
          ],
        );
        assert.deepEqual(progress, [998, 1997, 2496]);
        assert.equal(await store.countSubscriptions(), 2497);
        assert.equal(await store.getSubscriptionByImpi('fresh@ims.test'), undefined);
        assert.equal(
          (await store.getSubscriptionByImpu('tel:+12011002499'))?.subscription.privateIdentities[0]?.impi,
          'u2499@ims.test',
        );
      }),
    );

    it(
      'bulk import with stopOnError rolls back the batch of the failing record and stops',
      test(async (store) => {
        const records = [
          subscriber('a1'),
          subscriber('a2'),
          subscriber('b1'),
          subscriber('a2'),
          subscriber('b3'),
        ];
        const result = await store.bulkImport(records, { batchSize: 2, stopOnError: true });
        assert.deepEqual([result.imported, result.failed, result.stopped], [2, 1, true]);
        assert.equal(result.failures[0]?.index, 3);
        assert.equal(await store.countSubscriptions(), 2);
        assert.equal(await store.getSubscriptionByImpi('b1@ims.test'), undefined);
      }),
    );
  });
}
