/**
 * The iFCs of a service profile as REST resources (issue #6: CRUD of iFCs):
 * `/api/v1/subscribers/{impu}/service-profile/ifcs[/{priority}]`: list in priority order, add,
 * get, replace and delete by priority; validated like the rest (400 shape, 422 model, 409 a
 * taken priority), nothing written when refused, pushed to the S-CSCF of a registered user.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHssApi } from '../../../src/functions/hss/api/hss-api.ts';
import { applyRegistration } from '../../../src/functions/hss/registration.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';
import { sqliteHarness } from '../../store/helpers/harness.ts';
import { type ApiCall, apiCaller } from './helpers/api-call.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field by the assertions
type Json = any;

const ALICE = '/api/v1/subscribers/sip%3Aalice%40ims.test';
const IFCS = `${ALICE}/service-profile/ifcs`;
const ifc = (priority: number, serverName = 'sip:mmtel.ims.test:5080') => ({
  priority,
  triggerPoint: {
    conditionTypeCNF: false,
    spts: [{ kind: 'method', method: 'INVITE', conditionNegated: false, groups: [0] }],
  },
  applicationServer: { serverName, defaultHandling: 0 },
});

interface Ctx {
  store: SubscriberStore;
  pushes: string[];
  call: ApiCall;
}

function withApi(fn: (ctx: Ctx) => Promise<void>) {
  return async () => {
    const fresh = await sqliteHarness.fresh();
    const pushes: string[] = [];
    const app = createHssApi({
      store: fresh.store,
      logger: silentLogger,
      actions: { deregister: async () => undefined, pushProfile: async (id) => void pushes.push(id) },
    });
    try {
      const call = apiCaller(app);
      await call('POST', '/api/v1/subscribers', {
        impu: 'sip:alice@ims.test',
        password: 'x',
        tel: '+12015550100',
      });
      await fn({ store: fresh.store, pushes, call });
    } finally {
      await app.close();
      await fresh.dispose();
    }
  };
}

const priorities = (body: Json) => body.items.map((i: { priority: number }) => i.priority);

describe('HSS REST API: iFCs of a service profile', () => {
  it(
    'POST adds (201, Location by priority), GET lists in priority order and gets one; the profile is shared by the identities using it',
    withApi(async ({ call }) => {
      assert.deepEqual((await call('GET', IFCS)).body, { items: [] });
      let r = await call('POST', IFCS, ifc(5));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.headers.location, `${IFCS}/5`);
      assert.deepEqual(r.body, ifc(5));
      r = await call('POST', IFCS, ifc(1, 'sip:vm.ims.test'));
      assert.equal(r.status, 201);
      assert.deepEqual(priorities((await call('GET', IFCS)).body), [1, 5]);
      assert.deepEqual(
        priorities((await call('GET', '/api/v1/subscribers/tel%3A%2B12015550100/service-profile/ifcs')).body),
        [1, 5],
      );
      assert.deepEqual((await call('GET', `${IFCS}/1`)).body, ifc(1, 'sip:vm.ims.test'));
      assert.deepEqual(
        (await call('GET', `${ALICE}/service-profile`)).body.initialFilterCriteria.map(
          (i: { priority: number }) => i.priority,
        ),
        [1, 5],
      );
    }),
  );

  it(
    'PUT replaces the iFC of a priority; DELETE removes it; 404 for a priority the profile has not',
    withApi(async ({ call }) => {
      await call('POST', IFCS, ifc(1));
      await call('POST', IFCS, ifc(2));
      let r = await call('PUT', `${IFCS}/2`, { ...ifc(2, 'sip:other.ims.test'), priority: undefined });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.priority, 2);
      assert.equal(r.body.applicationServer.serverName, 'sip:other.ims.test');
      assert.equal((await call('GET', `${IFCS}/2`)).body.applicationServer.serverName, 'sip:other.ims.test');
      assert.equal((await call('DELETE', `${IFCS}/1`)).status, 204);
      assert.deepEqual(priorities((await call('GET', IFCS)).body), [2]);
      for (const [method, payload] of [
        ['GET', undefined],
        ['PUT', ifc(1)],
        ['DELETE', undefined],
      ] as const) {
        r = await call(method, `${IFCS}/1`, payload);
        assert.equal(r.status, 404, method);
        assert.match(r.body.error, /has no iFC of priority 1/);
      }
      r = await call('GET', '/api/v1/subscribers/sip%3Anobody%40ims.test/service-profile/ifcs');
      assert.equal(r.status, 404);
    }),
  );

  it(
    'refusals write nothing: 409 on a taken priority, 400 for the shape and the path, 422 naming the iFC field',
    withApi(async ({ call }) => {
      await call('POST', IFCS, ifc(1));
      const before = (await call('GET', ALICE)).body;
      let r = await call('POST', IFCS, ifc(1, 'sip:x.ims.test'));
      assert.equal(r.status, 409);
      assert.equal(r.body.field, 'priority');
      r = await call('POST', IFCS, { ...ifc(2), colour: 'red' });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body.issues, [{ field: 'colour', message: 'is not a known field' }]);
      r = await call('POST', IFCS, { ...ifc(2), priority: '2' });
      assert.equal(r.status, 400);
      assert.equal(r.body.issues[0].field, 'priority');
      r = await call('POST', IFCS, ifc(2, 'mmtel'));
      assert.equal(r.status, 422);
      assert.equal(r.body.issues[0].field, 'applicationServer.serverName');
      r = await call('POST', IFCS, ifc(-1));
      assert.equal(r.status, 422);
      assert.equal(r.body.issues[0].field, 'priority');
      r = await call('PUT', `${IFCS}/1`, ifc(1, 'mmtel'));
      assert.equal(r.status, 422);
      assert.equal(r.body.issues[0].field, 'applicationServer.serverName');
      r = await call('PUT', `${IFCS}/1`, ifc(3));
      assert.equal(r.status, 422);
      assert.equal(r.body.issues[0].field, 'priority');
      for (const bad of ['x', '-1', '2147483648', '1.5']) {
        r = await call('GET', `${IFCS}/${bad}`);
        assert.equal(r.status, 400, bad);
        assert.equal(r.body.issues[0].field, 'priority');
      }
      assert.deepEqual((await call('GET', ALICE)).body, before);
    }),
  );

  it(
    'a change to the iFCs of a registered user is pushed to the S-CSCF (PPR); of an unregistered one it is not',
    withApi(async ({ call, store, pushes }) => {
      await call('POST', IFCS, ifc(1));
      assert.deepEqual(pushes, []);
      await store.updateRegistration('sip:alice@ims.test', (view) =>
        applyRegistration(view, ['sip:alice@ims.test', 'tel:+12015550100'], {
          state: 'REGISTERED',
          privateIdentity: 'alice@ims.test',
          serverAssignment: { scscfName: 'sip:scscf.ims.test:6060' },
        }),
      );
      const { id } = (await call('GET', ALICE)).body;
      await call('POST', IFCS, ifc(2));
      await call('PUT', `${IFCS}/2`, ifc(2, 'sip:other.ims.test'));
      await call('DELETE', `${IFCS}/1`);
      await call('POST', IFCS, ifc(2));
      assert.deepEqual(pushes, [id, id, id], 'three changes pushed; the refused POST is not');
    }),
  );
});
