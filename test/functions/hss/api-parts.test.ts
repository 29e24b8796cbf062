/**
 * The HSS provisioning API, second half: public and private identities, the service profile
 * (iFCs), shared iFC sets, application servers, and the bulk import endpoint. SQLite, and
 * PostgreSQL when IMS_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHssApi, type HssApiActions } from '../../../src/functions/hss/api/hss-api.ts';
import { applyRegistration } from '../../../src/functions/hss/registration.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';
import { pgHarness, type StoreHarness, sqliteHarness } from '../../store/helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field by the assertions
type Json = any;

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const ALICE = '/api/v1/subscribers/sip%3Aalice%40ims.test';
const alice = { impu: 'sip:alice@ims.test', password: 'secret', k: K, opc: OPC, tel: '+12015550100' };
const IFC = {
  priority: 1,
  triggerPoint: {
    conditionTypeCNF: false,
    spts: [{ kind: 'method', method: 'INVITE', conditionNegated: false, groups: [0] }],
  },
  applicationServer: { serverName: 'sip:mmtel.ims.test:5080', defaultHandling: 0 },
};

type Call = (
  method: string,
  url: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: Json }>;
interface Ctx {
  store: SubscriberStore;
  calls: string[];
  call: Call;
}

function withApi(harness: StoreHarness, fn: (ctx: Ctx) => Promise<void>) {
  return async () => {
    const fresh = await harness.fresh();
    const calls: string[] = [];
    const actions: HssApiActions = {
      deregister: async (impu, reason) => void calls.push(`deregister ${impu} ${reason}`),
      pushProfile: async (id) => void calls.push(`pushProfile ${id}`),
    };
    const app = createHssApi({ store: fresh.store, logger: silentLogger, actions });
    try {
      const call: Call = async (method, url, payload, headers) => {
        const r = await app.inject({
          method: method as 'GET',
          url,
          ...(payload !== undefined ? { payload: payload as string } : {}),
          ...(headers ? { headers } : {}),
        });
        return { status: r.statusCode, body: r.body === '' ? undefined : r.json() };
      };
      await fn({ store: fresh.store, calls, call });
    } finally {
      await app.close();
      await fresh.dispose();
    }
  };
}

function partsSuite(name: string, harness: StoreHarness): void {
  const test = (fn: (ctx: Ctx) => Promise<void>) => withApi(harness, fn);

  describe(`HSS REST API parts on ${name}`, () => {
    it(
      'public identities: POST joins the implicit registration set, GET, PUT, DELETE; 409 when taken; 422 for a bad one',
      test(async ({ call }) => {
        await call('POST', '/api/v1/subscribers', alice);
        await call('POST', '/api/v1/subscribers', { impu: 'sip:bob@ims.test', password: 'x' });
        const base = `${ALICE}/public-identities`;
        let r = await call('POST', base, { impu: 'sip:Alice.Work@ims.test', displayName: 'Alice at work' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.impu, 'sip:Alice.Work@ims.test');
        assert.equal(r.body.serviceProfileId, 'default');
        const reg = await call('GET', '/api/v1/subscribers/sip%3AAlice.Work%40ims.test/registration');
        assert.deepEqual(reg.body.implicitRegistrationSet, [
          'sip:alice@ims.test',
          'tel:+12015550100',
          'sip:Alice.Work@ims.test',
        ]);
        r = await call('GET', `${base}/${encodeURIComponent('sip:Alice.Work@ims.test')}`);
        assert.equal(r.body.displayName, 'Alice at work');
        r = await call('PUT', `${base}/${encodeURIComponent('sip:Alice.Work@ims.test')}`, {
          barringIndication: true,
        });
        assert.equal(r.status, 200);
        assert.equal(r.body.barringIndication, true);
        assert.equal(r.body.displayName, undefined);
        r = await call('POST', base, { impu: 'sip:bob@ims.test' });
        assert.equal(r.status, 409);
        assert.equal(r.body.field, 'impu');
        r = await call('POST', base, { impu: 'sip:alice@ims.test' });
        assert.equal(r.status, 409);
        r = await call('POST', base, { impu: 'mailto:alice@ims.test' });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'impu');
        r = await call('POST', base, { impu: 'sip:x@ims.test', serviceProfileId: 'nope' });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'serviceProfileId');
        r = await call('DELETE', `${base}/${encodeURIComponent('tel:+12015550100')}`);
        assert.equal(r.status, 204);
        assert.equal((await call('GET', '/api/v1/subscribers/tel%3A%2B12015550100')).status, 404);
        assert.equal((await call('DELETE', `${base}/${encodeURIComponent('tel:+12015550100')}`)).status, 404);
        assert.equal((await call('GET', `${base}/sip%3Anobody%40ims.test`)).status, 404);
        const bobOnly = '/api/v1/subscribers/sip%3Abob%40ims.test/public-identities/sip%3Abob%40ims.test';
        r = await call('DELETE', bobOnly);
        assert.equal(r.status, 422, 'the last public identity cannot go');
      }),
    );

    it(
      'private identities: POST with credentials, GET hides secrets, PUT keeps K with { "set": true } and the SQN, DELETE',
      test(async ({ call, store }) => {
        await call('POST', '/api/v1/subscribers', alice);
        const base = `${ALICE}/private-identities`;
        let r = await call('POST', base, { impi: 'alice.phone@ims.test', k: K, op: OPC });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.deepEqual(r.body.k, { set: true });
        assert.deepEqual(r.body.allowedSchemes, ['AKAv1-MD5', 'AKAv2-MD5']);
        await store.updateAuthState('alice.phone@ims.test', () => ({ sqn: 4096, result: null }));
        r = await call('PUT', `${base}/alice.phone%40ims.test`, {
          password: 'pw2',
          k: { set: true },
          op: { set: true },
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body.allowedSchemes, ['MD5', 'SHA-256', 'AKAv1-MD5', 'AKAv2-MD5']);
        assert.equal(r.body.sqn, 4096);
        const stored = (await store.getSubscriptionByImpi('alice.phone@ims.test'))?.privateIdentities[1];
        assert.equal(stored?.k, K);
        assert.equal(stored?.op, OPC);
        r = await call('GET', `${base}/alice.phone%40ims.test`);
        assert.deepEqual(r.body.ha1Md5, { set: true });
        r = await call('PUT', `${base}/alice.phone%40ims.test`, { password: 'x', opc: { set: true }, k: K });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'opc');
        r = await call('POST', base, { impi: 'x@ims.test', k: 'zz', opc: OPC });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'k');
        r = await call('POST', base, { impi: 'x@ims.test' });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'password');
        r = await call('POST', base, { impi: 'alice@ims.test', password: 'x' });
        assert.equal(r.status, 409);
        assert.equal((await call('DELETE', `${base}/alice.phone%40ims.test`)).status, 204);
        assert.equal((await call('GET', `${base}/alice.phone%40ims.test`)).status, 404);
        assert.equal(
          (await call('DELETE', `${base}/alice%40ims.test`)).status,
          422,
          'the last IMPI of a user cannot go',
        );
      }),
    );

    it(
      'service profile: GET, PUT with iFCs (pushed to the S-CSCF of a registered user), 422 naming the iFC field',
      test(async ({ call, store, calls }) => {
        const { body: sub } = await call('POST', '/api/v1/subscribers', alice);
        await store.updateRegistration('sip:alice@ims.test', (view) =>
          applyRegistration(view, ['sip:alice@ims.test', 'tel:+12015550100'], {
            state: 'REGISTERED',
            privateIdentity: 'alice@ims.test',
            serverAssignment: { scscfName: 'sip:scscf.ims.test:6060' },
          }),
        );
        let r = await call('GET', `${ALICE}/service-profile`);
        assert.deepEqual(r.body, { id: 'default', initialFilterCriteria: [], sharedIfcSetIds: [] });
        r = await call('PUT', `${ALICE}/service-profile`, {
          initialFilterCriteria: [IFC],
          sharedIfcSetIds: [7],
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body.initialFilterCriteria, [IFC]);
        assert.deepEqual(calls, [`pushProfile ${sub.id}`]);
        const bad = { ...IFC, applicationServer: { serverName: 'mmtel' } };
        r = await call('PUT', `${ALICE}/service-profile`, { initialFilterCriteria: [bad] });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'initialFilterCriteria[0].applicationServer.serverName');
        r = await call('PUT', `${ALICE}/service-profile`, { id: 'other', initialFilterCriteria: [] });
        assert.equal(r.status, 422);
        assert.equal(calls.length, 1);
        assert.deepEqual(
          (await call('GET', '/api/v1/subscribers/tel%3A%2B12015550100/service-profile')).body
            .sharedIfcSetIds,
          [7],
        );
      }),
    );

    it(
      'shared iFC sets: PUT creates (201) then replaces (200), GET, list, DELETE; 400 for a bad id, 422 for a bad iFC',
      test(async ({ call }) => {
        let r = await call('PUT', '/api/v1/shared-ifc-sets/7', { initialFilterCriteria: [IFC] });
        assert.equal(r.status, 201);
        r = await call('PUT', '/api/v1/shared-ifc-sets/7', {
          id: 7,
          initialFilterCriteria: [IFC, { ...IFC, priority: 2 }],
        });
        assert.equal(r.status, 200);
        assert.equal((await call('GET', '/api/v1/shared-ifc-sets/7')).body.initialFilterCriteria.length, 2);
        assert.deepEqual(
          (await call('GET', '/api/v1/shared-ifc-sets')).body.items.map((s: { id: number }) => s.id),
          [7],
        );
        assert.equal(
          (await call('PUT', '/api/v1/shared-ifc-sets/8', { id: 9, initialFilterCriteria: [] })).status,
          422,
        );
        r = await call('PUT', '/api/v1/shared-ifc-sets/8', {
          initialFilterCriteria: [{ ...IFC, priority: -1 }],
        });
        assert.equal(r.status, 422);
        assert.match(r.body.issues[0].field, /priority/);
        assert.equal((await call('GET', '/api/v1/shared-ifc-sets/8')).status, 404);
        assert.equal((await call('GET', '/api/v1/shared-ifc-sets/x')).status, 400);
        assert.equal((await call('GET', '/api/v1/shared-ifc-sets/4294967296')).status, 400);
        assert.equal((await call('DELETE', '/api/v1/shared-ifc-sets/7')).status, 204);
        assert.equal((await call('DELETE', '/api/v1/shared-ifc-sets/7')).status, 404);
      }),
    );

    it(
      'application servers: PUT creates (201) then replaces (200), GET, list, DELETE; 422 for a bad definition',
      test(async ({ call }) => {
        const mmtel = {
          serverName: 'sip:mmtel.ims.test:5080',
          defaultHandling: 0,
          diameterHost: 'mmtel.ims.test',
        };
        let r = await call('PUT', '/api/v1/application-servers/mmtel', mmtel);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.name, 'mmtel');
        r = await call('PUT', '/api/v1/application-servers/mmtel', { ...mmtel, serviceInfo: 'v2' });
        assert.equal(r.status, 200);
        assert.equal((await call('GET', '/api/v1/application-servers/mmtel')).body.serviceInfo, 'v2');
        assert.deepEqual(
          (await call('GET', '/api/v1/application-servers')).body.items.map((a: { name: string }) => a.name),
          ['mmtel'],
        );
        r = await call('PUT', '/api/v1/application-servers/bad', { ...mmtel, serverName: 'not a uri' });
        assert.equal(r.status, 422);
        assert.equal(r.body.issues[0].field, 'serverName');
        r = await call('PUT', '/api/v1/application-servers/x', { ...mmtel, name: 'y' });
        assert.equal(r.status, 422);
        r = await call('PUT', '/api/v1/application-servers/x', { serverName: 'sip:x.ims.test' });
        assert.equal(r.status, 400);
        assert.equal(r.body.issues[0].field, 'defaultHandling');
        assert.equal((await call('DELETE', '/api/v1/application-servers/mmtel')).status, 204);
        assert.equal((await call('GET', '/api/v1/application-servers/mmtel')).status, 404);
        assert.equal((await call('DELETE', '/api/v1/application-servers/mmtel')).status, 404);
      }),
    );

    it(
      'a wildcarded PSI is addressed by its own !regex! form (URL-encoded), never by an identity it stands for',
      test(async ({ call }) => {
        const wildcard = 'sip:conf-!.*!@ims.test';
        const r = await call('POST', '/api/v1/subscribers', {
          publicIdentities: [{ impu: wildcard, identityType: 2, serviceProfileId: 'psi' }],
          serviceProfiles: [{ id: 'psi', initialFilterCriteria: [IFC] }],
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal((await call('GET', `/api/v1/subscribers/${encodeURIComponent(wildcard)}`)).status, 200);
        assert.equal((await call('GET', '/api/v1/subscribers/sip%3Aconf-42%40ims.test')).status, 404);
        assert.equal((await call('DELETE', '/api/v1/subscribers/sip%3Aconf-42%40ims.test')).status, 404);
        const long = `sip:${'x'.repeat(200)}@ims.test`;
        assert.equal((await call('POST', '/api/v1/subscribers', { impu: long, password: 'x' })).status, 201);
        assert.equal((await call('GET', `/api/v1/subscribers/${encodeURIComponent(long)}`)).status, 200);
      }),
    );

    it(
      'import: NDJSON records stored one by one; bad JSON, bad fields and taken identities answered by position',
      test(async ({ call }) => {
        await call('POST', '/api/v1/subscribers', alice);
        const lines = [
          JSON.stringify({ impu: 'sip:u1@ims.test', password: 'p1', tel: '+12015550101' }),
          '',
          '{not json',
          JSON.stringify({ impu: 'sip:u2@ims.test', k: 'zz', opc: OPC }),
          JSON.stringify({ impu: 'sip:u3@ims.test', password: 'p3', tel: '+12015550100' }),
          JSON.stringify({ impu: 'sip:u4@ims.test', password: 'p4', colour: 'red' }),
          JSON.stringify({
            privateIdentities: [{ impi: 'u5@ims.test', allowedSchemes: ['MD5'], ha1Md5: 'a'.repeat(32) }],
            publicIdentities: [{ impu: 'sip:u5@ims.test', serviceProfileId: 'p' }],
            serviceProfiles: [{ id: 'p' }],
          }),
          JSON.stringify({ impu: 'sip:u1@ims.test', password: 'again' }),
        ];
        const r = await call('POST', '/api/v1/subscribers:import', `${lines.join('\n')}\n`, {
          'content-type': 'application/x-ndjson',
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(
          { processed: r.body.processed, imported: r.body.imported, failed: r.body.failed },
          { processed: 7, imported: 2, failed: 5 },
        );
        const byIndex = Object.fromEntries(r.body.failures.map((f: Json) => [f.index, f.issues[0]?.field]));
        // A taken IMPU is named before the IMPI derived from it.
        assert.deepEqual(byIndex, { 1: '', 2: 'k', 3: 'tel', 4: 'colour', 6: 'impu' });
        assert.deepEqual(r.body.generatedPasswords, []);
        assert.deepEqual(
          r.body.failures.map((f: { index: number }) => f.index),
          [1, 2, 3, 4, 6],
        );
        const list = await call('GET', '/api/v1/subscribers');
        assert.deepEqual(
          list.body.items.map((s: Json) => s.publicIdentities[0].impu),
          ['sip:alice@ims.test', 'sip:u1@ims.test', 'sip:u5@ims.test'],
        );
        assert.equal((await call('GET', '/api/v1/subscribers/sip%3Au3%40ims.test')).status, 404);
      }),
    );

    it(
      'import: a JSON array works too; anything else is a 400',
      test(async ({ call }) => {
        let r = await call('POST', '/api/v1/subscribers:import', [
          { impu: 'sip:a1@ims.test', password: 'x' },
          { impu: 'sip:a2@ims.test', k: K },
        ]);
        assert.equal(r.status, 200);
        assert.deepEqual([r.body.imported, r.body.failed, r.body.failures[0].index], [1, 1, 1]);
        r = await call('POST', '/api/v1/subscribers:import', { impu: 'sip:a3@ims.test', password: 'x' });
        assert.equal(r.status, 400);
        r = await call('POST', '/api/v1/subscribers:import', 'x', { 'content-type': 'text/csv' });
        assert.equal(r.status, 415);
        assert.ok(typeof r.body.error === 'string');
      }),
    );
  });
}

partsSuite('SQLite', sqliteHarness);
const pgUrl = process.env.IMS_TEST_PG_URL;
if (pgUrl) partsSuite('PostgreSQL', pgHarness(pgUrl));
else it('HSS REST API parts on PostgreSQL', (t) => t.skip('IMS_TEST_PG_URL not set'));
