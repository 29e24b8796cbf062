/**
 * The HSS REST API as the ARCHITECTURE.md §7 operator interface is checked from outside: a
 * subscriber from its IMPU alone (generated password, answered once), a tel IMPU's default
 * IMPI at the home realm, the IMPU named first in a conflict, paging by offset and a strict
 * query, fastify's own refusals and 405 in the API's error shape. Through fastify's inject, on
 * a fresh SQLite store per test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD_ALPHABET } from '../../../src/functions/hss/api/generated-password.ts';
import { createHssApi, type HssApiOptions } from '../../../src/functions/hss/api/hss-api.ts';
import { digestHa1, newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';
import { sqliteHarness } from '../../store/helpers/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field by the assertions
type Json = any;

interface Answer {
  status: number;
  body: Json;
  headers: Record<string, unknown>;
}
interface Ctx {
  store: SubscriberStore;
  call(
    method: string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<Answer>;
}

function withApi(fn: (ctx: Ctx) => Promise<void>, options: Partial<HssApiOptions> = {}) {
  return async () => {
    const fresh = await sqliteHarness.fresh();
    const app = createHssApi({ store: fresh.store, logger: silentLogger, ...options });
    try {
      const call: Ctx['call'] = async (method, url, payload, headers) => {
        const r = await app.inject({
          method: method as 'GET',
          url,
          ...(payload !== undefined
            ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }
            : {}),
          headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        });
        return { status: r.statusCode, body: r.body === '' ? undefined : r.json(), headers: r.headers };
      };
      await fn({ store: fresh.store, call });
    } finally {
      await app.close();
      await fresh.dispose();
    }
  };
}

const GENERATED = new RegExp(`^[${PASSWORD_ALPHABET}]{16}$`);

describe('HSS REST API: the §7 operator interface', () => {
  it(
    'POST with only impu: IMPI derived, SIP Digest, a generated password answered once (only its HA1 kept)',
    withApi(async ({ call, store }) => {
      const r = await call('POST', '/api/v1/subscribers', { impu: 'sip:bob@ims.test' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.match(r.body.password, GENERATED);
      const [pi] = r.body.privateIdentities;
      assert.equal(pi.impi, 'bob@ims.test');
      assert.deepEqual(pi.allowedSchemes, ['MD5', 'SHA-256']);
      assert.deepEqual(pi.ha1Md5, { set: true });
      const stored = await store.getSubscriptionByImpi('bob@ims.test');
      assert.equal(
        stored?.privateIdentities[0]?.ha1Sha256,
        digestHa1('SHA-256', 'bob@ims.test', 'ims.test', r.body.password),
      );
      assert.ok(!JSON.stringify(stored).includes(r.body.password), 'the password itself is not stored');
      const shown = await call('GET', '/api/v1/subscribers/sip%3Abob%40ims.test');
      assert.equal(shown.body.password, undefined);
      assert.ok(!JSON.stringify(shown.body).includes(r.body.password));
      const other = await call('POST', '/api/v1/subscribers', { impu: 'sip:carol@ims.test' });
      assert.notEqual(other.body.password, r.body.password);
      // Given credentials: nothing generated, no password field.
      const given = await call('POST', '/api/v1/subscribers', { impu: 'sip:dan@ims.test', password: 'x' });
      assert.equal(given.status, 201);
      assert.equal('password' in given.body, false);
      // A replacement must say which credentials: nothing is made up on PUT.
      const put = await call('PUT', '/api/v1/subscribers/sip%3Abob%40ims.test', { impu: 'sip:bob@ims.test' });
      assert.equal(put.status, 422);
      assert.equal(put.body.issues[0].field, 'password');
    }),
  );

  it(
    'a tel IMPU alone: IMPI <number>@<home realm>, its SIP form the default identity; no home realm: 422 impi',
    withApi(
      async ({ call }) => {
        const r = await call('POST', '/api/v1/subscribers', { impu: 'tel:+49-30-999', password: 'x' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.privateIdentities[0].impi, '+4930999@ims.test');
        assert.equal(r.body.privateIdentities[0].digestRealm, 'ims.test');
        assert.deepEqual(
          r.body.publicIdentities.map((p: Json) => p.impu),
          ['sip:+4930999@ims.test', 'tel:+4930999'],
        );
        assert.deepEqual(r.body.implicitRegistrationSets[0].publicIdentities, [
          'sip:+4930999@ims.test',
          'tel:+4930999',
        ]);
        assert.equal((await call('GET', '/api/v1/subscribers/tel%3A%2B4930999')).status, 200);
        // Taken: named as the request's impu.
        const again = await call('POST', '/api/v1/subscribers', { impu: 'tel:+4930999', impi: 'x@ims.test' });
        assert.equal(again.status, 409);
        assert.equal(again.body.field, 'impu');
        const both = await call('POST', '/api/v1/subscribers', { impu: 'tel:+4930998', tel: '+4930997' });
        assert.equal(both.status, 422);
        assert.equal(both.body.issues[0].field, 'tel');
      },
      { homeRealm: 'ims.test' },
    ),
  );

  it(
    'a tel IMPU without a home realm or an IMPI to take it from: 422 on impi',
    withApi(async ({ call }) => {
      const r = await call('POST', '/api/v1/subscribers', { impu: 'tel:+4930999', password: 'x' });
      assert.equal(r.status, 422);
      assert.equal(r.body.issues[0].field, 'impi');
      const withImpi = await call('POST', '/api/v1/subscribers', {
        impu: 'tel:+4930999',
        impi: 'n4930999@other.test',
        password: 'x',
      });
      assert.equal(withImpi.status, 201, JSON.stringify(withImpi.body));
      assert.equal(withImpi.body.publicIdentities[0].impu, 'sip:+4930999@other.test');
    }),
  );

  it(
    'a second create of an IMPU reports the conflict on impu, not on the IMPI derived from it',
    withApi(async ({ call }) => {
      const first = await call('POST', '/api/v1/subscribers', { impu: 'sip:dup@ims.test', password: 'x' });
      let r = await call('POST', '/api/v1/subscribers', { impu: 'sip:dup@ims.test', password: 'y' });
      assert.equal(r.status, 409);
      assert.equal(r.body.field, 'impu');
      assert.equal(r.body.error, `impu: sip:dup@ims.test already belongs to subscription ${first.body.id}`);
      assert.deepEqual(r.body.issues, [
        { field: 'impu', message: `sip:dup@ims.test already belongs to subscription ${first.body.id}` },
      ]);
      // Only the IMPI taken: named as such.
      r = await call('POST', '/api/v1/subscribers', {
        impu: 'sip:dup2@ims.test',
        impi: 'dup@ims.test',
        password: 'y',
      });
      assert.equal(r.status, 409);
      assert.equal(r.body.field, 'impi');
    }),
  );

  it(
    'GET list pages by offset (with limit) as well as by cursor; deep offsets walk more than one page',
    withApi(async ({ call, store }) => {
      const names = Array.from({ length: 1205 }, (_, i) => `u${String(i).padStart(4, '0')}`);
      const result = await store.bulkImport(
        names.map((n) => newSubscription({ impu: `sip:${n}@ims.test`, password: n })),
      );
      assert.equal(result.imported, names.length);
      const impus = (r: Answer) => r.body.items.map((s: Json) => s.publicIdentities[0].impu);
      let r = await call('GET', '/api/v1/subscribers?offset=2&limit=2');
      assert.equal(r.status, 200);
      assert.deepEqual(impus(r), ['sip:u0002@ims.test', 'sip:u0003@ims.test']);
      assert.equal(r.body.total, 1205);
      // The cursor of an offset page goes on from there.
      r = await call('GET', `/api/v1/subscribers?limit=1&cursor=${encodeURIComponent(r.body.nextCursor)}`);
      assert.deepEqual(impus(r), ['sip:u0004@ims.test']);
      r = await call('GET', '/api/v1/subscribers?offset=1001&limit=3');
      assert.deepEqual(impus(r), ['sip:u1001@ims.test', 'sip:u1002@ims.test', 'sip:u1003@ims.test']);
      r = await call('GET', '/api/v1/subscribers?offset=1203&limit=5');
      assert.deepEqual(impus(r), ['sip:u1203@ims.test', 'sip:u1204@ims.test']);
      assert.equal(r.body.nextCursor, undefined);
      for (const offset of [1205, 5000]) {
        r = await call('GET', `/api/v1/subscribers?offset=${offset}`);
        assert.deepEqual([r.status, r.body.items, r.body.total], [200, [], 1205]);
      }
      r = await call('GET', '/api/v1/subscribers?offset=1&limit=2&search=U12');
      assert.deepEqual(impus(r), ['sip:u1201@ims.test', 'sip:u1202@ims.test']);
      assert.equal(r.body.total, 5);
      assert.deepEqual(impus(await call('GET', '/api/v1/subscribers?offset=0&limit=1')), [
        'sip:u0000@ims.test',
      ]);
    }),
  );

  it(
    'GET list refuses unknown query parameters, cursor with offset, and bad offsets: 400 naming them',
    withApi(async ({ call }) => {
      let r = await call('GET', '/api/v1/subscribers?page=2&per_page=1');
      assert.equal(r.status, 400);
      assert.deepEqual(
        r.body.issues.map((i: Json) => i.field),
        ['page', 'per_page'],
      );
      assert.match(
        r.body.error,
        /^invalid query: page: is not a known query parameter \(limit, cursor, offset, search\)/,
      );
      r = await call('GET', '/api/v1/subscribers?offset=1&cursor=abc');
      assert.equal(r.status, 400);
      assert.equal(r.body.issues[0].field, 'offset');
      for (const q of ['offset=-1', 'offset=x', 'offset=1.5']) {
        r = await call('GET', `/api/v1/subscribers?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.issues[0].field, 'offset', q);
      }
    }),
  );

  it(
    "what fastify refuses before a route runs is answered in the API's error shape",
    withApi(async ({ call }) => {
      let r = await call('GET', '/api/v1/subscribers/sip%3Aa%E0%A4%A');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, {
        error: 'invalid url: the path is not valid percent-encoded UTF-8',
        issues: [{ field: 'url', message: 'the path is not valid percent-encoded UTF-8' }],
      });
      r = await call('POST', '/api/v1/subscribers', '{"impu": ');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, {
        error: 'invalid request body: not valid JSON',
        issues: [{ field: '', message: 'not valid JSON' }],
      });
      r = await call('POST', '/api/v1/subscribers', '', { 'content-type': 'application/json' });
      assert.equal(r.status, 400);
      assert.equal(r.body.issues[0].field, '');
      r = await call('POST', '/api/v1/subscribers', '<x/>', { 'content-type': 'application/xml' });
      assert.equal(r.status, 415);
      assert.deepEqual(Object.keys(r.body), ['error']);
      assert.match(r.body.error, /^unsupported media type 'application\/xml': send application\/json/);
    }),
  );

  it(
    'a body that is not JSON by its media type (text/plain included) or has no Content-Type: 415, POST and PUT',
    withApi(async ({ call, store }) => {
      const created = await call('POST', '/api/v1/subscribers', { impu: 'sip:ct@ims.test', password: 'x' });
      assert.equal(created.status, 201);
      const one = '/api/v1/subscribers/sip%3Act%40ims.test';
      const json = JSON.stringify({ impu: 'sip:ct@ims.test', password: 'y' });
      const cases: [string, string, string, string | undefined, string][] = [
        ['POST', '/api/v1/subscribers', 'hi', 'text/plain', "unsupported media type 'text/plain'"],
        [
          'POST',
          '/api/v1/subscribers',
          json,
          'text/plain; charset=utf-8',
          "unsupported media type 'text/plain; charset=utf-8'",
        ],
        ['PUT', one, 'hi', 'text/plain', "unsupported media type 'text/plain'"],
        [
          'PUT',
          '/api/v1/subscribers/sip%3Anobody%40ims.test',
          'hi',
          'text/plain',
          "unsupported media type 'text/plain'",
        ],
        ['POST', '/api/v1/subscribers:import', 'x', 'text/plain', "unsupported media type 'text/plain'"],
        ['POST', '/api/v1/subscribers', json, undefined, 'a body without Content-Type'],
        ['PUT', one, json, undefined, 'a body without Content-Type'],
      ];
      for (const [method, url, payload, contentType, reason] of cases) {
        // An undefined header is left out (call would otherwise send application/json).
        const r = await call(method, url, payload, { 'content-type': contentType });
        assert.equal(r.status, 415, `${method} ${url} ${contentType}`);
        assert.deepEqual(r.body, {
          error: `${reason}: send application/json (application/x-ndjson to :import)`,
        });
      }
      // Refused before the route ran: the password is the one created, until a JSON PUT.
      const ha1 = async () =>
        (await store.getSubscriptionByImpi('ct@ims.test'))?.privateIdentities[0]?.ha1Md5;
      assert.equal(await ha1(), digestHa1('MD5', 'ct@ims.test', 'ims.test', 'x'));
      const r = await call('PUT', one, json, { 'content-type': 'application/json; charset=utf-8' });
      assert.equal(r.status, 200);
      assert.equal(await ha1(), digestHa1('MD5', 'ct@ims.test', 'ims.test', 'y'));
    }),
  );

  it(
    'a known path with a method it does not take: 405 with Allow; an unknown path: 404',
    withApi(async ({ call }) => {
      const cases: [string, string, string][] = [
        ['PATCH', '/api/v1/subscribers/sip%3Aa%40ims.test', 'DELETE, GET, PUT'],
        ['DELETE', '/api/v1/subscribers', 'GET, POST'],
        ['GET', '/api/v1/subscribers:import', 'POST'],
        ['POST', '/api/v1/subscribers/sip%3Aa%40ims.test/registration', 'DELETE, GET'],
        ['PATCH', '/api/v1/subscribers/sip%3Aa%40ims.test/service-profile/ifcs/3', 'DELETE, GET, PUT'],
        ['PUT', '/api/v1/openapi.json', 'GET'],
      ];
      for (const [method, url, allow] of cases) {
        const r = await call(method, url);
        assert.equal(r.status, 405, `${method} ${url}`);
        assert.equal(r.headers.allow, allow, `${method} ${url}`);
        assert.equal(r.body.error, `${method} is not allowed on ${url} (allowed: ${allow})`);
      }
      const r = await call('PATCH', '/api/v1/nothing/here');
      assert.equal(r.status, 404);
      assert.equal(r.headers.allow, undefined);
    }),
  );

  it(
    'the OpenAPI document describes offset paging, the generated password and the 409 of a de-registration',
    withApi(async ({ call }) => {
      const doc = (await call('GET', '/api/v1/openapi.json')).body;
      const list = doc.paths['/api/v1/subscribers'].get;
      assert.ok(list.parameters.some((p: Json) => p.name === 'offset' && p.in === 'query'));
      assert.match(list.description, /offset/);
      const created =
        doc.paths['/api/v1/subscribers'].post.responses['201'].content['application/json'].schema;
      assert.equal(created.$ref, '#/components/schemas/CreatedSubscription');
      assert.equal(doc.components.schemas.CreatedSubscription.properties.password.type, 'string');
      assert.ok(doc.components.schemas.ImportResult.properties.generatedPasswords);
      const dereg = doc.paths['/api/v1/subscribers/{impu}/registration'].delete.responses['409'];
      assert.match(dereg.description, /NOT_REGISTERED/);
      // Every operation that takes a body answers 415 for one of another media type.
      const withBody = Object.values(doc.paths).flatMap((item: Json) =>
        Object.values(item).filter((op: Json) => op?.requestBody !== undefined),
      );
      assert.ok(withBody.length >= 10);
      for (const op of withBody as Json[]) assert.ok(op.responses['415'], op.operationId);
      assert.equal(doc.paths['/api/v1/subscribers'].get.responses['415'], undefined);
    }),
  );
});
