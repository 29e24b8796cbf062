/** Contract tests, runtime half: SQN, registration, Sh data, shared definitions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthenticationScheme } from '../../src/functions/hss/model.ts';
import { applyRegistration } from '../../src/functions/hss/registration.ts';
import type { StoreError } from '../../src/store/store-error.ts';
import type { SubscriberStore } from '../../src/store/subscriber-store.ts';
import { rejectsWith, storeTest } from './contract-provisioning.ts';
import type { StoreHarness } from './helpers/harness.ts';
import { K, subscriber } from './helpers/subscribers.ts';

const SCSCF = {
  scscfName: 'sip:scscf.ims.test:6060',
  diameterHost: 'scscf.ims.test',
  diameterRealm: 'ims.test',
};

export function runtimeContract(harness: StoreHarness): void {
  const test = (fn: (store: SubscriberStore) => Promise<void>) => storeTest(harness, fn);

  describe('updateAuthState (SQN)', () => {
    it(
      'hands the auth data to fn, stores the SQN it returns and returns its result',
      test(async (store) => {
        const sub = await store.createSubscription(subscriber('alice'));
        const seen: { sqn: number; k?: string; schemes: AuthenticationScheme[]; id: string }[] = [];
        const result = await store.updateAuthState('alice@ims.test', (s) => {
          seen.push({ sqn: s.sqn, k: s.k, schemes: s.allowedSchemes, id: s.subscriptionId });
          return { sqn: s.sqn + 32, result: 'vectors' };
        });
        assert.equal(result, 'vectors');
        assert.deepEqual(seen, [
          { sqn: 0, k: K, schemes: ['MD5', 'SHA-256', 'AKAv1-MD5', 'AKAv2-MD5'], id: sub.id },
        ]);
        assert.equal((await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn, 32);
        // 48-bit values round-trip exactly.
        await store.updateAuthState('alice@ims.test', () => ({ sqn: 2 ** 48 - 1, result: null }));
        assert.equal(
          (await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn,
          2 ** 48 - 1,
        );
      }),
    );

    it(
      'concurrent callers run one after the other: no SQN is handed out twice',
      test(async (store) => {
        await store.createSubscription(subscriber('alice'));
        const n = 40;
        const got = await Promise.all(
          Array.from({ length: n }, () =>
            store.updateAuthState('alice@ims.test', (s) => ({ sqn: s.sqn + 32, result: s.sqn + 32 })),
          ),
        );
        assert.equal(new Set(got).size, n);
        assert.deepEqual(
          [...got].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => (i + 1) * 32),
        );
        assert.equal(
          (await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn,
          n * 32,
        );
      }),
    );

    it(
      'changes nothing when fn throws or returns a bad SQN; NOT_FOUND for an unknown IMPI',
      test(async (store) => {
        await store.createSubscription(subscriber('alice'));
        await assert.rejects(
          store.updateAuthState('alice@ims.test', () => {
            throw new Error('MAC failure');
          }),
          /MAC failure/,
        );
        await rejectsWith(
          store.updateAuthState('alice@ims.test', () => ({ sqn: 2 ** 48, result: 0 })),
          'INVALID',
          'sqn',
        );
        await rejectsWith(
          store.updateAuthState('alice@ims.test', () => ({ sqn: -1, result: 0 })),
          'INVALID',
          'sqn',
        );
        await rejectsWith(
          store.updateAuthState('alice@ims.test', (async () => ({ sqn: 1, result: 0 })) as never),
          'INVALID',
        );
        assert.equal((await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn, 0);
        await rejectsWith(
          store.updateAuthState('nobody@ims.test', (s) => ({ result: s })),
          'NOT_FOUND',
          'impi',
        );
      }),
    );
  });

  describe('updateRegistration', () => {
    it(
      'registers an implicit registration set and stores the S-CSCF in one call',
      test(async (store) => {
        const sub = await store.createSubscription(subscriber('alice', '+12015550123'));
        const irs = ['sip:alice@ims.test', 'tel:+12015550123'];
        const view = await store.updateRegistration('tel:+1-201-555-0123', (v) =>
          applyRegistration(v, irs, {
            state: 'REGISTERED',
            privateIdentity: 'alice@ims.test',
            serverAssignment: SCSCF,
          }),
        );
        assert.deepEqual(view, {
          subscriptionId: sub.id,
          serverAssignment: SCSCF,
          publicIdentities: irs.map((impu) => ({
            impu,
            registrationState: 'REGISTERED',
            registeredPrivateIdentities: ['alice@ims.test'],
          })),
        });
        const stored = await store.getSubscription(sub.id);
        assert.deepEqual(stored?.serverAssignment, SCSCF);
        assert.deepEqual(
          stored?.publicIdentities.map((p) => p.registrationState),
          ['REGISTERED', 'REGISTERED'],
        );
        const after = await store.updateRegistration('sip:alice@ims.test', (v) =>
          applyRegistration(v, irs, { state: 'NOT_REGISTERED', privateIdentity: 'alice@ims.test' }),
        );
        assert.equal(after.serverAssignment, undefined);
        assert.deepEqual(
          (await store.getSubscription(sub.id))?.publicIdentities.map((p) => p.registrationState),
          ['NOT_REGISTERED', 'NOT_REGISTERED'],
        );
        assert.equal((await store.getSubscription(sub.id))?.serverAssignment, undefined);
      }),
    );

    it(
      'leaves everything as it was when fn returns undefined, throws or returns something invalid',
      test(async (store) => {
        const sub = await store.createSubscription(subscriber('alice'));
        const before = await store.getSubscription(sub.id);
        const same = await store.updateRegistration('sip:alice@ims.test', () => undefined);
        assert.equal(same.publicIdentities[0]?.registrationState, 'NOT_REGISTERED');
        await assert.rejects(
          store.updateRegistration('sip:alice@ims.test', () => {
            throw new Error('no');
          }),
          /no/,
        );
        const bad = async (fn: Parameters<SubscriberStore['updateRegistration']>[1], field: string) => {
          const err: StoreError = await rejectsWith(
            store.updateRegistration('sip:alice@ims.test', fn),
            'INVALID',
          );
          assert.equal(err.field, field);
        };
        await bad((v) => ({ ...v, subscriptionId: 'other' }), 'subscriptionId');
        await bad(
          (v) => ({
            ...v,
            publicIdentities: [
              { impu: 'sip:bob@ims.test', registrationState: 'REGISTERED', registeredPrivateIdentities: [] },
            ],
          }),
          'publicIdentities[0].impu',
        );
        await bad(
          (v) => ({
            ...v,
            publicIdentities: [{ ...v.publicIdentities[0]!, registrationState: 'ROAMING' as never }],
          }),
          'publicIdentities[0].registrationState',
        );
        await bad((v) => ({ ...v, serverAssignment: { scscfName: '' } }), 'serverAssignment.scscfName');
        assert.deepEqual(await store.getSubscription(sub.id), before);
        await rejectsWith(
          store.updateRegistration('sip:nobody@ims.test', () => undefined),
          'NOT_FOUND',
        );
      }),
    );

    it(
      'concurrent registration changes of one subscription do not lose each other',
      test(async (store) => {
        await store.createSubscription(subscriber('alice'));
        const impis = Array.from({ length: 12 }, (_, i) => `dev${i}@ims.test`);
        await Promise.all(
          impis.map((impi) =>
            store.updateRegistration('sip:alice@ims.test', (v) =>
              applyRegistration(v, ['sip:alice@ims.test'], {
                state: 'REGISTERED',
                privateIdentity: impi,
                serverAssignment: SCSCF,
              }),
            ),
          ),
        );
        const stored = await store.getSubscriptionByImpu('sip:alice@ims.test');
        assert.deepEqual(
          [...(stored?.publicIdentity.registeredPrivateIdentities ?? [])].sort(),
          [...impis].sort(),
        );
      }),
    );
  });

  describe('Sh repository data (TS 29.328 §6.1.2.1 sequence numbers, enforced by the store)', () => {
    it(
      'creates with 0, updates with +1, deletes with the next number, refuses anything else',
      test(async (store) => {
        await store.createSubscription(subscriber('alice'));
        const impu = 'sip:alice@ims.test';
        const put = (sequenceNumber: number, data?: string) =>
          store.updateRepositoryData(impu, {
            serviceIndication: 'mmtel-cdiv',
            sequenceNumber,
            ...(data !== undefined ? { data } : {}),
          });
        assert.deepEqual(await put(0, '<a/>'), {
          serviceIndication: 'mmtel-cdiv',
          sequenceNumber: 0,
          data: '<a/>',
        });
        await rejectsWith(put(0, '<b/>'), 'OUT_OF_SYNC', 'sequenceNumber');
        await rejectsWith(put(2, '<b/>'), 'OUT_OF_SYNC');
        await put(1, '<b/>');
        assert.deepEqual(await store.getRepositoryData('SIP:alice@ims.test', 'mmtel-cdiv'), {
          serviceIndication: 'mmtel-cdiv',
          sequenceNumber: 1,
          data: '<b/>',
        });
        await store.updateRepositoryData(impu, { serviceIndication: 'other', sequenceNumber: 0, data: 'o' });
        assert.deepEqual(
          (await store.listRepositoryData(impu)).map((r) => [r.serviceIndication, r.sequenceNumber]),
          [
            ['mmtel-cdiv', 1],
            ['other', 0],
          ],
        );
        await rejectsWith(put(1), 'OUT_OF_SYNC');
        assert.equal(await put(2), undefined);
        assert.equal(await store.getRepositoryData(impu, 'mmtel-cdiv'), undefined);
        await rejectsWith(put(3), 'NOT_FOUND');
        await rejectsWith(
          store.updateRepositoryData('sip:nobody@ims.test', {
            serviceIndication: 'x',
            sequenceNumber: 0,
            data: 'd',
          }),
          'NOT_FOUND',
          'impu',
        );
        await rejectsWith(
          store.updateRepositoryData(impu, { serviceIndication: '', sequenceNumber: 70000, data: 'd' }),
          'INVALID',
        );
      }),
    );

    it(
      'of two ASs updating with the same number, exactly one wins',
      test(async (store) => {
        await store.createSubscription(subscriber('alice'));
        const impu = 'sip:alice@ims.test';
        await store.updateRepositoryData(impu, { serviceIndication: 'si', sequenceNumber: 0, data: 'v0' });
        const outcomes = await Promise.allSettled(
          ['as1', 'as2', 'as3'].map((as) =>
            store.updateRepositoryData(impu, { serviceIndication: 'si', sequenceNumber: 1, data: as }),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        for (const o of outcomes)
          if (o.status === 'rejected') assert.equal((o.reason as StoreError).code, 'OUT_OF_SYNC');
      }),
    );
  });

  describe('Sh subscriptions to notifications (SNR)', () => {
    it(
      'adds, renews, lists, expires and deletes',
      test(async (store) => {
        const sub = await store.createSubscription(subscriber('alice'));
        const impu = 'sip:alice@ims.test';
        const base = {
          impu,
          applicationServerHost: 'as.ims.test',
          dataReference: 0,
          serviceIndications: ['b', 'a'],
        };
        await store.putShSubscription({ ...base, expiresAt: 1000 });
        await store.putShSubscription({ ...base, serviceIndications: ['a', 'b'], expiresAt: 5000 });
        await store.putShSubscription({
          impu,
          applicationServerHost: 'as.ims.test',
          dataReference: 11,
          serviceIndications: [],
        });
        const all = await store.listShSubscriptions(impu);
        assert.deepEqual(all, [
          {
            impu,
            applicationServerHost: 'as.ims.test',
            dataReference: 0,
            serviceIndications: ['a', 'b'],
            expiresAt: 5000,
          },
          { impu, applicationServerHost: 'as.ims.test', dataReference: 11, serviceIndications: [] },
        ]);
        assert.equal((await store.listShSubscriptions(impu, { dataReference: 11 })).length, 1);
        assert.equal((await store.listShSubscriptions(impu, { now: 6000 })).length, 1);
        assert.equal(await store.purgeExpiredShSubscriptions(6000), 1);
        assert.equal(
          await store.deleteShSubscription({ ...base, dataReference: 11, serviceIndications: [] }),
          true,
        );
        assert.equal(
          await store.deleteShSubscription({ ...base, dataReference: 11, serviceIndications: [] }),
          false,
        );
        await rejectsWith(
          store.putShSubscription({ ...base, impu: 'sip:nobody@ims.test' }),
          'NOT_FOUND',
          'impu',
        );
        await rejectsWith(store.putShSubscription({ ...base, dataReference: -1 }), 'INVALID');
        await store.putShSubscription(base);
        await store.deleteSubscription(sub.id);
        assert.deepEqual(await store.listShSubscriptions(impu), []);
      }),
    );
  });

  describe('shared iFC sets and application servers', () => {
    it(
      'stores, replaces, lists and deletes them, validating first',
      test(async (store) => {
        const ifc = {
          priority: 1,
          applicationServer: { serverName: 'sip:mmtel.ims.test', defaultHandling: 0 as const },
        };
        await store.putSharedIfcSet({ id: 7, initialFilterCriteria: [ifc] });
        await store.putSharedIfcSet({ id: 7, initialFilterCriteria: [ifc, { ...ifc, priority: 2 }] });
        await store.putSharedIfcSet({ id: 3, initialFilterCriteria: [] });
        assert.equal((await store.getSharedIfcSet(7))?.initialFilterCriteria.length, 2);
        assert.deepEqual(
          (await store.listSharedIfcSets()).map((s) => s.id),
          [3, 7],
        );
        const err = await rejectsWith(
          store.putSharedIfcSet({ id: 8, initialFilterCriteria: [ifc, ifc] }),
          'INVALID',
        );
        assert.equal(err.issues[0]?.field, 'initialFilterCriteria[1].priority');
        await store.deleteSharedIfcSet(3);
        await rejectsWith(store.deleteSharedIfcSet(3), 'NOT_FOUND');

        const mmtel = {
          name: 'mmtel',
          serverName: 'sip:mmtel.ims.test:5080',
          defaultHandling: 0 as const,
          diameterHost: 'mmtel.ims.test',
          shPermissions: { read: [0, 11], update: [0], subscribe: [0] },
        };
        await store.putApplicationServer(mmtel);
        await store.putApplicationServer({ name: 'vm', serverName: 'sip:vm.ims.test', defaultHandling: 1 });
        assert.deepEqual(await store.getApplicationServer('mmtel'), mmtel);
        assert.deepEqual(await store.findApplicationServerByHost('mmtel.ims.test'), mmtel);
        assert.equal(await store.findApplicationServerByHost('unknown'), undefined);
        assert.deepEqual(
          (await store.listApplicationServers()).map((a) => a.name),
          ['mmtel', 'vm'],
        );
        const invalid = await rejectsWith(
          store.putApplicationServer({ ...mmtel, serverName: 'mmtel' }),
          'INVALID',
          'serverName',
        );
        assert.match(invalid.message, /SIP URI/);
        await store.deleteApplicationServer('vm');
        await rejectsWith(store.deleteApplicationServer('vm'), 'NOT_FOUND', 'name');
      }),
    );
  });
}
