/**
 * The HSS provisioning API (issue #6, ARCHITECTURE.md §7) through fastify's inject, on a fresh
 * SQLite store per test, and on PostgreSQL when IMS_TEST_PG_URL is set: subscribers, validation,
 * no partial writes, secrets, paging, registration, de-registration, OpenAPI completeness.
 * Identities, profiles, definitions and import are in api-parts.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createHssApi, type HssApiActions, routesOf } from '../../../src/functions/hss/api/hss-api.ts';
import { applyRegistration } from '../../../src/functions/hss/registration.ts';
import { digestHa1 } from '../../../src/functions/hss/subscriber-defaults.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';
import { pgHarness, type StoreHarness, sqliteHarness } from '../../store/helpers/harness.ts';
import { type ApiCall, apiCaller } from './helpers/api-call.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field by the assertions
type Json = any;

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const SCSCF = {
  scscfName: 'sip:scscf.ims.test:6060',
  diameterHost: 'scscf.ims.test',
  diameterRealm: 'ims.test',
};
const ALICE = '/api/v1/subscribers/sip%3Aalice%40ims.test';

interface Spy extends HssApiActions {
  calls: string[];
  fail?: boolean;
}

function spyActions(): Spy {
  const spy: Spy = {
    calls: [],
    async deregister(impu, reason) {
      spy.calls.push(`deregister ${impu} ${reason}`);
      if (spy.fail) throw new Error('no answer from scscf.ims.test');
    },
    async pushProfile(id) {
      spy.calls.push(`pushProfile ${id}`);
    },
  };
  return spy;
}

interface Ctx {
  app: FastifyInstance;
  store: SubscriberStore;
  spy: Spy;
  call: ApiCall;
}

function withApi(harness: StoreHarness, fn: (ctx: Ctx) => Promise<void>, wired = true) {
  return async () => {
    const fresh = await harness.fresh();
    const spy = spyActions();
    const app = createHssApi({
      store: fresh.store,
      logger: silentLogger,
      ...(wired ? { actions: spy } : {}),
    });
    try {
      await app.ready();
      const call = apiCaller(app);
      await fn({ app, store: fresh.store, spy, call });
    } finally {
      await app.close();
      await fresh.dispose();
    }
  };
}

const alice = { impu: 'sip:alice@ims.test', password: 'secret', k: K, opc: OPC, tel: '+12015550100' };

async function register(store: SubscriberStore, impu: string, impi: string): Promise<void> {
  await store.updateRegistration(impu, (view) =>
    applyRegistration(
      view,
      view.publicIdentities.map((p) => p.impu),
      {
        state: 'REGISTERED',
        privateIdentity: impi,
        serverAssignment: SCSCF,
      },
    ),
  );
}

function apiSuite(name: string, harness: StoreHarness): void {
  const test = (fn: (ctx: Ctx) => Promise<void>, wired = true) => withApi(harness, fn, wired);

  describe(`HSS REST API on ${name}`, () => {
    describe('/api/v1/subscribers', () => {
      it(
        'POST of the short form applies the §7 defaults, answers 201 with Location and hides every secret',
        test(async ({ call }) => {
          const r = await call('POST', '/api/v1/subscribers', alice);
          assert.equal(r.status, 201);
          assert.equal(r.headers.location, ALICE);
          const [pi] = r.body.privateIdentities;
          assert.equal(pi.impi, 'alice@ims.test');
          assert.deepEqual(pi.allowedSchemes, ['MD5', 'SHA-256', 'AKAv1-MD5', 'AKAv2-MD5']);
          for (const f of ['k', 'opc', 'ha1Md5', 'ha1Sha256']) assert.deepEqual(pi[f], { set: true }, f);
          assert.equal(pi.amf, '8000');
          assert.deepEqual(
            r.body.publicIdentities.map((p: { impu: string }) => p.impu),
            ['sip:alice@ims.test', 'tel:+12015550100'],
          );
          const text = JSON.stringify((await call('GET', ALICE)).body);
          for (const secret of [K, OPC, digestHa1('MD5', 'alice@ims.test', 'ims.test', 'secret')])
            assert.ok(!text.includes(secret));
          assert.ok(!text.includes(digestHa1('SHA-256', 'alice@ims.test', 'ims.test', 'secret')));
        }),
      );

      it(
        'GET finds the subscriber by any of its identities, URL-encoded or not, tel URIs included; 404 and 400 otherwise',
        test(async ({ call }) => {
          const { body: created } = await call('POST', '/api/v1/subscribers', alice);
          for (const path of [
            'sip%3Aalice%40ims.test',
            'sip:alice@ims.test',
            'tel%3A%2B12015550100',
            'tel:+12015550100',
            '%2B12015550100',
          ]) {
            const r = await call('GET', `/api/v1/subscribers/${path}`);
            assert.equal(r.status, 200, path);
            assert.equal(r.body.id, created.id);
          }
          const missing = await call('GET', '/api/v1/subscribers/sip%3Abob%40ims.test');
          assert.equal(missing.status, 404);
          assert.match(missing.body.error, /no subscriber sip:bob@ims.test/);
          const bad = await call('GET', '/api/v1/subscribers/alice');
          assert.equal(bad.status, 400);
          assert.equal(bad.body.issues[0].field, 'impu');
        }),
      );

      it(
        'POST of the whole model: 201, secrets hidden, SQN shown',
        test(async ({ call }) => {
          const r = await call('POST', '/api/v1/subscribers', {
            privateIdentities: [
              { impi: 'bob@ims.test', allowedSchemes: ['AKAv1-MD5'], k: K, op: OPC, sqn: 96 },
            ],
            publicIdentities: [{ impu: 'sip:Bob@IMS.test', serviceProfileId: 'p', barringIndication: false }],
            serviceProfiles: [{ id: 'p' }],
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          assert.equal(r.body.publicIdentities[0].impu, 'sip:Bob@ims.test');
          assert.deepEqual(r.body.privateIdentities[0].op, { set: true });
          assert.equal(r.body.privateIdentities[0].sqn, 96);
        }),
      );

      it(
        '400 names each field that does not match the schema (unknown fields, JSON types, not an object)',
        test(async ({ call }) => {
          let r = await call('POST', '/api/v1/subscribers', { ...alice, pasword: 'x' });
          assert.equal(r.status, 400);
          assert.deepEqual(r.body.issues, [{ field: 'pasword', message: 'is not a known field' }]);
          r = await call('POST', '/api/v1/subscribers', {
            privateIdentities: [{ impi: 'bob@ims.test', allowedSchemes: ['MD5'], ha1Md5: 7 }],
            publicIdentities: [{ impu: 'sip:bob@ims.test', serviceProfileId: 'p', barringIndication: 'yes' }],
            serviceProfiles: [{ id: 'p', initialFilterCriteria: [{ priority: '1' }] }],
          });
          assert.equal(r.status, 400);
          const fields = r.body.issues.map((i: { field: string }) => i.field);
          for (const f of [
            'privateIdentities[0].ha1Md5',
            'publicIdentities[0].barringIndication',
            'serviceProfiles[0].initialFilterCriteria[0].priority',
            'serviceProfiles[0].initialFilterCriteria[0].applicationServer',
          ])
            assert.ok(fields.includes(f), `${f} in ${fields}`);
          assert.equal((await call('POST', '/api/v1/subscribers', [alice])).status, 400);
          assert.equal((await call('POST', '/api/v1/subscribers')).status, 400);
        }),
      );

      it(
        '422 names the fields the subscriber model refuses, in the terms of the request',
        test(async ({ call }) => {
          const cases: [object, string][] = [
            [{ impu: 'sip:bob@ims.test', k: 'abc', opc: OPC }, 'k'],
            [{ impu: 'sip:bob@ims.test', k: K }, 'opc'],
            [{ impu: 'sip:bob@ims.test', k: K, opc: OPC, op: OPC }, 'op'],
            [{ impu: 'sip:bob@ims.test', password: 'x', opc: OPC }, 'opc'],
            [{ impu: 'bob@ims.test', password: 'x' }, 'impu'],
            [{ impu: 'sip:bob@ims.test', password: 'x', tel: '555-1234' }, 'tel'],
            [{ impu: 'tel:+12015550199', password: 'x' }, 'impi'],
            [{ impu: 'sip:bob@ims.test', password: 'x', impi: 'bob' }, 'impi'],
          ];
          for (const [body, field] of cases) {
            const r = await call('POST', '/api/v1/subscribers', body);
            assert.equal(r.status, 422, JSON.stringify(body));
            assert.ok(
              r.body.issues.some((i: { field: string }) => i.field === field),
              `${JSON.stringify(body)}: ${JSON.stringify(r.body.issues)}`,
            );
          }
          const model = await call('POST', '/api/v1/subscribers', {
            privateIdentities: [{ impi: 'bob@ims.test', allowedSchemes: ['AKAv1-MD5'], k: 'zz' }],
            publicIdentities: [{ impu: 'sip:bob@ims.test', serviceProfileId: 'nope' }],
            serviceProfiles: [{ id: 'p' }],
          });
          assert.equal(model.status, 422);
          const fields = model.body.issues.map((i: { field: string }) => i.field);
          for (const f of [
            'privateIdentities[0].k',
            'privateIdentities[0].opc',
            'publicIdentities[0].serviceProfileId',
          ])
            assert.ok(fields.includes(f), `${f} in ${fields}`);
          assert.equal((await call('GET', '/api/v1/subscribers')).body.total, 0);
        }),
      );

      it(
        'a create that fails (409 on the tel URI) writes nothing: neither GET nor the list sees it',
        test(async ({ call }) => {
          await call('POST', '/api/v1/subscribers', alice);
          const r = await call('POST', '/api/v1/subscribers', {
            impu: 'sip:carol@ims.test',
            password: 'x',
            tel: '+12015550100',
          });
          assert.equal(r.status, 409);
          assert.equal(r.body.field, 'tel');
          assert.match(r.body.error, /^tel: tel:\+12015550100 already belongs to subscription/);
          assert.equal((await call('GET', '/api/v1/subscribers/sip%3Acarol%40ims.test')).status, 404);
          const list = await call('GET', '/api/v1/subscribers?search=carol');
          assert.equal(list.body.total, 0);
          assert.equal((await call('GET', '/api/v1/subscribers')).body.total, 1);
        }),
      );

      it(
        'PUT replaces the subscription, keeps SQN and, with { "set": true }, the stored secrets',
        test(async ({ call, store }) => {
          await call('POST', '/api/v1/subscribers', alice);
          await store.updateAuthState('alice@ims.test', (s) => ({ sqn: s.sqn + 64, result: undefined }));
          const { body: current } = await call('GET', ALICE);
          current.publicIdentities[1].displayName = 'Alice';
          const r = await call('PUT', `/api/v1/subscribers/tel%3A%2B12015550100`, current);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.equal(r.body.publicIdentities[1].displayName, 'Alice');
          assert.equal(r.body.privateIdentities[0].sqn, 64);
          const stored = await store.getSubscriptionByImpi('alice@ims.test');
          assert.equal(stored?.privateIdentities[0]?.k, K);
          assert.equal(stored?.privateIdentities[0]?.opc, OPC);
          // The short form rebuilds it: no tel any more, digest only.
          const short = await call('PUT', ALICE, { impu: 'sip:alice@ims.test', password: 'new' });
          assert.equal(short.status, 200);
          assert.equal(short.body.publicIdentities.length, 1);
          assert.equal(short.body.privateIdentities[0].k, undefined);
          assert.equal(short.body.id, current.id);
        }),
      );

      it(
        'PUT that fails changes nothing: 422 without the path identity, 409 on a taken identity, 422 for a kept secret that is not stored',
        test(async ({ call }) => {
          await call('POST', '/api/v1/subscribers', alice);
          await call('POST', '/api/v1/subscribers', { impu: 'sip:bob@ims.test', password: 'x' });
          const before = (await call('GET', ALICE)).body;
          let r = await call('PUT', ALICE, { impu: 'sip:alice2@ims.test', password: 'x' });
          assert.equal(r.status, 422);
          assert.equal(r.body.issues[0].field, 'impu');
          r = await call('PUT', ALICE, { ...alice, tel: undefined, impi: 'bob@ims.test' });
          assert.equal(r.status, 409);
          assert.equal(r.body.field, 'impi');
          const marked = structuredClone(before);
          marked.privateIdentities[0].op = { set: true };
          delete marked.privateIdentities[0].opc;
          r = await call('PUT', ALICE, marked);
          assert.equal(r.status, 422);
          assert.equal(r.body.issues[0].field, 'privateIdentities[0].op');
          assert.deepEqual((await call('GET', ALICE)).body, before);
          assert.equal((await call('PUT', '/api/v1/subscribers/sip%3Anobody%40ims.test', alice)).status, 404);
        }),
      );

      it(
        'PUT of a registered user pushes the profile (PPR); of an unregistered one it does not',
        test(async ({ call, store, spy }) => {
          const { body } = await call('POST', '/api/v1/subscribers', alice);
          await call('PUT', ALICE, { ...alice, tel: undefined });
          assert.deepEqual(spy.calls, []);
          await register(store, 'sip:alice@ims.test', 'alice@ims.test');
          const r = await call('PUT', ALICE, alice);
          assert.equal(r.status, 200);
          assert.deepEqual(spy.calls, [`pushProfile ${body.id}`]);
          assert.equal(r.body.publicIdentities[0].registrationState, 'REGISTERED');
        }),
      );

      it(
        'DELETE removes it (204, then 404); a registered user is de-registered first',
        test(async ({ call, store, spy }) => {
          await call('POST', '/api/v1/subscribers', alice);
          await call('POST', '/api/v1/subscribers', { impu: 'sip:bob@ims.test', password: 'x' });
          await register(store, 'sip:bob@ims.test', 'bob@ims.test');
          assert.equal((await call('DELETE', ALICE)).status, 204);
          assert.equal((await call('GET', ALICE)).status, 404);
          assert.equal((await call('GET', '/api/v1/subscribers/tel%3A%2B12015550100')).status, 404);
          assert.deepEqual(spy.calls, []);
          assert.equal((await call('DELETE', '/api/v1/subscribers/sip%3Abob%40ims.test')).status, 204);
          assert.deepEqual(spy.calls, ['deregister sip:bob@ims.test subscription removed']);
          assert.equal((await call('DELETE', ALICE)).status, 404);
          assert.equal((await call('GET', '/api/v1/subscribers')).body.total, 0);
        }),
      );

      it(
        'GET list pages with limit and cursor, searches IMPU and IMPI, and refuses bad paging',
        test(async ({ call }) => {
          for (const n of ['ann', 'ben', 'cat', 'dan', 'eve'])
            await call('POST', '/api/v1/subscribers', { impu: `sip:${n}@ims.test`, password: n });
          const seen: string[] = [];
          let url = '/api/v1/subscribers?limit=2';
          for (let pages = 0; ; pages++) {
            const r = await call('GET', url);
            assert.equal(r.status, 200);
            assert.equal(r.body.total, 5);
            assert.ok(r.body.items.length <= 2);
            for (const s of r.body.items) {
              seen.push(s.publicIdentities[0].impu);
              assert.deepEqual(s.privateIdentities[0].ha1Md5, { set: true });
            }
            if (r.body.nextCursor === undefined) {
              assert.equal(pages, 2);
              break;
            }
            url = `/api/v1/subscribers?limit=2&cursor=${encodeURIComponent(r.body.nextCursor)}`;
          }
          assert.deepEqual(
            seen,
            ['ann', 'ben', 'cat', 'dan', 'eve'].map((n) => `sip:${n}@ims.test`),
          );
          const found = await call('GET', '/api/v1/subscribers?search=EV');
          assert.deepEqual(
            found.body.items.map((s: Json) => s.privateIdentities[0].impi),
            ['eve@ims.test'],
          );
          assert.equal(found.body.total, 1);
          for (const q of ['limit=0', 'limit=1001', 'limit=x', 'cursor=bogus']) {
            const r = await call('GET', `/api/v1/subscribers?${q}`);
            assert.equal(r.status, 400, q);
            assert.ok(['limit', 'cursor'].includes(r.body.issues[0].field));
          }
        }),
      );
    });

    describe('/api/v1/subscribers/{impu}/registration', () => {
      it(
        'GET shows the state of the identity, its implicit registration set and the S-CSCF',
        test(async ({ call, store }) => {
          const { body } = await call('POST', '/api/v1/subscribers', alice);
          let r = await call('GET', `${ALICE}/registration`);
          assert.equal(r.status, 200);
          assert.equal(r.body.registrationState, 'NOT_REGISTERED');
          assert.equal(r.body.serverAssignment, undefined);
          await register(store, 'sip:alice@ims.test', 'alice@ims.test');
          r = await call('GET', '/api/v1/subscribers/tel%3A%2B12015550100/registration');
          assert.deepEqual(r.body, {
            impu: 'tel:+12015550100',
            subscriptionId: body.id,
            registrationState: 'REGISTERED',
            implicitRegistrationSet: ['sip:alice@ims.test', 'tel:+12015550100'],
            serverAssignment: SCSCF,
            publicIdentities: [
              {
                impu: 'sip:alice@ims.test',
                registrationState: 'REGISTERED',
                registeredPrivateIdentities: ['alice@ims.test'],
              },
              {
                impu: 'tel:+12015550100',
                registrationState: 'REGISTERED',
                registeredPrivateIdentities: ['alice@ims.test'],
              },
            ],
          });
          assert.equal(
            (await call('GET', '/api/v1/subscribers/sip%3Ax%40ims.test/registration')).status,
            404,
          );
        }),
      );

      it(
        'DELETE de-registers through the wired action (RTR): 204; 409 when not registered; 502 when it fails',
        test(async ({ call, store, spy }) => {
          await call('POST', '/api/v1/subscribers', alice);
          let r = await call('DELETE', `${ALICE}/registration`);
          assert.equal(r.status, 409);
          assert.match(r.body.error, /not registered/);
          await register(store, 'sip:alice@ims.test', 'alice@ims.test');
          assert.equal((await call('DELETE', `${ALICE}/registration`)).status, 204);
          assert.equal((await call('DELETE', `${ALICE}/registration?reason=fraud`)).status, 204);
          assert.deepEqual(spy.calls, [
            'deregister sip:alice@ims.test administrative de-registration',
            'deregister sip:alice@ims.test fraud',
          ]);
          spy.fail = true;
          r = await call('DELETE', `${ALICE}/registration`);
          assert.equal(r.status, 502);
          assert.match(r.body.error, /no answer from scscf.ims.test/);
          assert.equal(
            (await call('DELETE', '/api/v1/subscribers/sip%3Ax%40ims.test/registration')).status,
            404,
          );
        }),
      );

      it(
        'DELETE answers 501 with a clear message when no actions are wired',
        test(async ({ call, store }) => {
          await call('POST', '/api/v1/subscribers', alice);
          await register(store, 'sip:alice@ims.test', 'alice@ims.test');
          const r = await call('DELETE', `${ALICE}/registration`);
          assert.equal(r.status, 501);
          assert.match(r.body.error, /Diameter side \(Cx RTR\)/);
        }, false),
      );
    });
  });
}

apiSuite('SQLite', sqliteHarness);
const pgUrl = process.env.IMS_TEST_PG_URL;
if (pgUrl) apiSuite('PostgreSQL', pgHarness(pgUrl));
else it('HSS REST API on PostgreSQL', (t) => t.skip('IMS_TEST_PG_URL not set'));

describe('OpenAPI document', () => {
  it(
    'describes every registered route, each $ref resolves, operationIds are unique',
    withApi(sqliteHarness, async ({ app, call }) => {
      const r = await call('GET', '/api/v1/openapi.json');
      assert.equal(r.status, 200);
      const doc = r.body;
      assert.equal(doc.openapi, '3.1.0');
      const routes = routesOf(app);
      assert.ok(routes.length >= 27);
      for (const { method, url } of routes) {
        const path = url.replace('::', ':').replace(/\/:([A-Za-z]+)/g, '/{$1}');
        const item = doc.paths[path];
        assert.ok(item, `${path} missing`);
        const op = item[method.toLowerCase()];
        assert.ok(op, `${method} ${path} missing`);
        assert.ok(Object.keys(op.responses).length > 0);
        for (const param of path.match(/\{[A-Za-z]+\}/g) ?? [])
          assert.ok(
            [...(item.parameters ?? []), ...(op.parameters ?? [])].some(
              (p: Json) => `{${p.name}}` === param && p.in === 'path',
            ),
            `${param} of ${path}`,
          );
      }
      const described = Object.entries(doc.paths).flatMap(([p, item]: [string, Json]) =>
        Object.keys(item)
          .filter((k) => k !== 'parameters')
          .map((m) => `${m.toUpperCase()} ${p}`),
      );
      assert.equal(described.length, routes.length, 'no path described that is not served');
      const ids = Object.values(doc.paths).flatMap((item: Json) =>
        Object.values(item)
          .map((op: Json) => op.operationId)
          .filter(Boolean),
      );
      assert.equal(new Set(ids).size, ids.length);
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
      for (const ref of refs) {
        const id = ref.slice('"$ref":"#/components/schemas/'.length, -1);
        assert.ok(doc.components.schemas[id], `${ref} resolves`);
      }
      for (const id of [
        'Subscription',
        'SubscriberInput',
        'SubscriptionInput',
        'Error',
        'Registration',
        'ImportResult',
      ])
        assert.ok(doc.components.schemas[id], id);
    }),
  );

  it(
    'an unknown route is a 404 in the API error shape',
    withApi(sqliteHarness, async ({ call }) => {
      const r = await call('GET', '/api/v2/nothing');
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { error: 'no route GET /api/v2/nothing' });
    }),
  );
});
