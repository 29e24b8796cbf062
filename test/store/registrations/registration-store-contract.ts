/**
 * The behaviour every RegistrationStore backend must have, as one suite run against each
 * (memory-registration-store.test.ts, redis-registration-store.test.ts).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Binding, Registration, RegistrationStore } from '../../../src/store/registrations/types.ts';
import { StoreError } from '../../../src/store/store-error.ts';

export interface RegistrationStoreHarness {
  /** A new, empty store. */
  open(): Promise<RegistrationStore>;
  /**
   * A second store instance on the same state as `store` (another S-CSCF sharing Redis), or
   * undefined when the backend is not shared (memory).
   */
  openPeer?(store: RegistrationStore): Promise<RegistrationStore>;
}

const T0 = Date.now() + 3_600_000;

export function binding(contact: string, expiresAt = T0 + 600_000, extra: Partial<Binding> = {}): Binding {
  return {
    contact,
    params: '+sip.instance="<urn:gsma:imei:35209900-176148-1>";reg-id=1;expires=600',
    expiresAt,
    path: ['<sip:term@pcscf.ims.test:5060;lr>'],
    instanceId: 'urn:gsma:imei:35209900-176148-1',
    regId: 1,
    callId: `call-${contact}`,
    cseq: 1,
    chargingVector: 'icid-value=1234',
    pcscf: 'sip:pcscf.ims.test:5060',
    id: `c-${contact}`,
    registeredAt: T0,
    ...extra,
  };
}

export function record(
  impus: string[],
  bindings: Binding[] = [],
  extra: Partial<Registration> = {},
): Registration {
  return {
    impus,
    barred: [],
    impi: `${impus[0]?.replace(/^sip:/, '')}`,
    state: bindings.length > 0 ? 'registered' : 'unregistered',
    userData: `<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>${impus[0]}</PrivateID></IMSSubscription>`,
    bindings,
    revision: 0,
    ...extra,
  };
}

const ALICE = ['sip:alice@ims.test', 'tel:+15550001', 'sip:+15550001@ims.test'];
const BOB = ['sip:bob@ims.test', 'tel:+15550002'];

export function registrationStoreContract(harness: RegistrationStoreHarness): void {
  const opened: RegistrationStore[] = [];
  const open = async (): Promise<RegistrationStore> => {
    const s = await harness.open();
    opened.push(s);
    return s;
  };
  after(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
  });

  describe('get, update, delete through any IMPU of the implicit set', () => {
    it('creates a record that every IMPU of the set finds, revision 1', async () => {
      const store = await open();
      assert.equal(await store.get(ALICE[0] as string), undefined);
      const stored = await store.update('sip:alice@ims.test', (cur) => {
        assert.equal(cur, undefined);
        return record(ALICE, [binding('sip:alice@10.0.0.1:5060')]);
      });
      assert.equal(stored?.revision, 1);
      for (const impu of ALICE) {
        const got = await store.get(impu);
        assert.deepEqual(got?.impus, ALICE, impu);
        assert.equal(got?.bindings[0]?.contact, 'sip:alice@10.0.0.1:5060');
        assert.deepEqual(got, stored);
      }
      assert.equal(await store.get('sip:carol@ims.test'), undefined);
    });

    it('updates through another IMPU of the set and bumps the revision', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      const stored = await store.update('tel:+15550001', (cur) => {
        assert.ok(cur);
        return { ...cur, bindings: [...cur.bindings, binding('sip:a@2')] };
      });
      assert.equal(stored?.revision, 2);
      const got = await store.get('sip:+15550001@ims.test');
      assert.deepEqual(
        got?.bindings.map((b) => b.contact),
        ['sip:a@1', 'sip:a@2'],
      );
      assert.equal(got?.revision, 2);
    });

    it('leaves the record alone when the callback returns undefined', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      assert.equal(await store.update(ALICE[1] as string, () => undefined), undefined);
      assert.equal((await store.get(ALICE[0] as string))?.revision, 1);
      assert.equal(await store.update('sip:nobody@ims.test', () => undefined), undefined);
      assert.equal(await store.get('sip:nobody@ims.test'), undefined);
    });

    it('deletes through any IMPU: none of them finds it afterwards', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      await store.update(BOB[0] as string, () => record(BOB, [binding('sip:b@1')]));
      assert.equal(await store.countRegistered(), 2);
      assert.equal(await store.update('tel:+15550001', () => null), undefined);
      for (const impu of ALICE) assert.equal(await store.get(impu), undefined, impu);
      assert.equal(await store.countRegistered(), 1);
      assert.ok(await store.get(BOB[1] as string));
      assert.equal(await store.update('sip:nobody@ims.test', () => null), undefined);
    });

    it('hands out copies: changing what get() returned changes nothing stored', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      const got = await store.get(ALICE[0] as string);
      assert.ok(got);
      got.bindings.pop();
      got.impus.push('sip:mallory@ims.test');
      assert.equal((await store.get(ALICE[0] as string))?.bindings.length, 1);
      assert.equal(await store.get('sip:mallory@ims.test'), undefined);
    });

    it('rejects a record without IMPU or with one twice (INVALID), storing nothing', async () => {
      const store = await open();
      await assert.rejects(
        store.update(ALICE[0] as string, () => record([])),
        (e: unknown) => e instanceof StoreError && e.code === 'INVALID',
      );
      await assert.rejects(
        store.update(ALICE[0] as string, () => record([ALICE[0] as string, ALICE[0] as string])),
        (e: unknown) => e instanceof StoreError && e.code === 'INVALID',
      );
      assert.equal(await store.get(ALICE[0] as string), undefined);
    });

    it('rejects when the callback throws, storing nothing', async () => {
      const store = await open();
      await assert.rejects(
        store.update(ALICE[0] as string, () => {
          throw new Error('callback failed');
        }),
        /callback failed/,
      );
      assert.equal(await store.get(ALICE[0] as string), undefined);
    });
  });

  describe('the IMPU index follows the record', () => {
    it('an IMPU dropped from the set no longer finds it; an added one does', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      await store.update(ALICE[0] as string, (cur) =>
        cur ? { ...cur, impus: ['sip:alice@ims.test', 'sip:alice2@ims.test'] } : undefined,
      );
      assert.equal(await store.get('tel:+15550001'), undefined);
      assert.equal(await store.get('sip:+15550001@ims.test'), undefined);
      assert.deepEqual((await store.get('sip:alice2@ims.test'))?.impus, [
        'sip:alice@ims.test',
        'sip:alice2@ims.test',
      ]);
      // An update through an IMPU the new record leaves out: that IMPU goes too.
      await store.update('sip:alice2@ims.test', (cur) =>
        cur ? { ...cur, impus: ['sip:alice@ims.test'] } : undefined,
      );
      assert.equal(await store.get('sip:alice2@ims.test'), undefined);
      assert.ok(await store.get('sip:alice@ims.test'));
    });

    it('an IMPU taken into another set re-points and leaves its old set', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      const bob = await store.update(BOB[0] as string, () =>
        record([...BOB, 'tel:+15550001'], [binding('sip:b@1')]),
      );
      assert.deepEqual((await store.get('tel:+15550001'))?.impus, bob?.impus);
      const alice = await store.get('sip:alice@ims.test');
      assert.deepEqual(alice?.impus, ['sip:alice@ims.test', 'sip:+15550001@ims.test']);
      assert.equal(alice?.revision, 2);
      // Taking every IMPU of a set removes that set.
      await store.update(BOB[0] as string, (cur) =>
        cur ? { ...cur, impus: [...cur.impus, 'sip:alice@ims.test', 'sip:+15550001@ims.test'] } : undefined,
      );
      assert.equal((await store.get('sip:alice@ims.test'))?.impi, 'bob@ims.test');
      const all = [];
      for await (const r of store.list()) all.push(r);
      assert.equal(all.length, 1);
      assert.equal(await store.countRegistered(), 1);
    });
  });

  describe('expiring() and countRegistered()', () => {
    it('names the first IMPU of every record with a binding due at or before the time', async () => {
      const store = await open();
      await store.update(ALICE[0] as string, () =>
        record(ALICE, [binding('sip:a@1', T0 + 50_000), binding('sip:a@2', T0 + 10_000)]),
      );
      await store.update(BOB[0] as string, () => record(BOB, [binding('sip:b@1', T0 + 20_000)]));
      await store.update('sip:carol@ims.test', () => record(['sip:carol@ims.test']));
      assert.deepEqual(await store.expiring(T0), []);
      assert.deepEqual(await store.expiring(T0 + 10_000), ['sip:alice@ims.test']);
      assert.deepEqual((await store.expiring(T0 + 20_000)).sort(), [
        'sip:alice@ims.test',
        'sip:bob@ims.test',
      ]);
      // The sweep drops alice's due binding: her next expiry is later.
      await store.update(ALICE[1] as string, (cur) =>
        cur ? { ...cur, bindings: cur.bindings.filter((b) => b.expiresAt > T0 + 10_000) } : undefined,
      );
      assert.deepEqual(await store.expiring(T0 + 20_000), ['sip:bob@ims.test']);
      await store.update(BOB[0] as string, () => null);
      assert.deepEqual(await store.expiring(T0 + 20_000), []);
      assert.deepEqual(await store.expiring(T0 + 60_000), ['sip:alice@ims.test']);
    });

    it('counts records in state registered as they come, change state and go', async () => {
      const store = await open();
      assert.equal(await store.countRegistered(), 0);
      await store.update(ALICE[0] as string, () => record(ALICE, [binding('sip:a@1')]));
      await store.update(BOB[0] as string, () => record(BOB));
      assert.equal(await store.countRegistered(), 1);
      await store.update(BOB[0] as string, (cur) =>
        cur ? { ...cur, state: 'registered', bindings: [binding('sip:b@1')] } : undefined,
      );
      assert.equal(await store.countRegistered(), 2);
      await store.update(ALICE[0] as string, (cur) =>
        cur ? { ...cur, state: 'unregistered', bindings: [] } : undefined,
      );
      assert.equal(await store.countRegistered(), 1);
      await store.update(BOB[1] as string, () => null);
      assert.equal(await store.countRegistered(), 0);
    });
  });

  describe('list()', () => {
    it('yields every record once', async () => {
      const store = await open();
      for (let i = 0; i < 250; i++)
        await store.update(`sip:u${i}@ims.test`, () => record([`sip:u${i}@ims.test`, `tel:+1555${i}`]));
      const seen = new Map<string, Registration>();
      for await (const r of store.list()) {
        assert.ok(!seen.has(r.impus[0] as string), 'listed twice');
        seen.set(r.impus[0] as string, r);
      }
      assert.equal(seen.size, 250);
      assert.deepEqual(seen.get('sip:u7@ims.test')?.impus, ['sip:u7@ims.test', 'tel:+15557']);
    });
  });

  describe('concurrent updates of one record', () => {
    it('loses no update', async () => {
      const store = await open();
      const peer = (await harness.openPeer?.(store)) ?? store;
      if (peer !== store) opened.push(peer);
      await store.update(ALICE[0] as string, () => record(ALICE, []));
      const writes = [];
      for (let i = 0; i < 40; i++) {
        // Half through each instance, through different IMPUs of the set.
        const via = i % 2 === 0 ? store : peer;
        const impu = ALICE[i % ALICE.length] as string;
        writes.push(
          via.update(impu, (cur) =>
            cur
              ? { ...cur, state: 'registered', bindings: [...cur.bindings, binding(`sip:a@${i}`)] }
              : undefined,
          ),
        );
      }
      await Promise.all(writes);
      const got = await store.get(ALICE[0] as string);
      assert.equal(got?.bindings.length, 40);
      assert.equal(new Set(got?.bindings.map((b) => b.contact)).size, 40);
      assert.equal(got?.revision, 41);
      assert.deepEqual(await peer.get(ALICE[2] as string), got);
    });

    it('creates one record when two updates create it at once', async () => {
      const store = await open();
      const peer = (await harness.openPeer?.(store)) ?? store;
      if (peer !== store) opened.push(peer);
      const create = (via: RegistrationStore, impu: string, contact: string) =>
        via.update(impu, (cur) =>
          cur ? { ...cur, bindings: [...cur.bindings, binding(contact)] } : record(ALICE, [binding(contact)]),
        );
      await Promise.all([
        create(store, ALICE[0] as string, 'sip:a@1'),
        create(peer, ALICE[0] as string, 'sip:a@2'),
      ]);
      const got = await peer.get(ALICE[1] as string);
      assert.deepEqual(got?.bindings.map((b) => b.contact).sort(), ['sip:a@1', 'sip:a@2']);
      let n = 0;
      for await (const _ of store.list()) n++;
      assert.equal(n, 1);
      assert.equal(await store.countRegistered(), 1);
    });
  });
}
