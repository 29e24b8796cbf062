import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.ts';
import { openRegistrationStore, RedisRegistrationStore } from '../../../src/store/registrations/index.ts';
import type { RegistrationStore } from '../../../src/store/registrations/types.ts';
import { StoreError } from '../../../src/store/store-error.ts';
import { freePort } from '../../interop/helpers/free-port.ts';
import { type RedisServer, startRedisServer } from './helpers/redis-server.ts';
import { binding, record, registrationStoreContract } from './registration-store-contract.ts';

describe('Redis registration store', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await server?.stop();
  });

  // Each store gets its own key prefix on the one server: a fresh, empty store.
  const prefixes = new WeakMap<RegistrationStore, string>();
  registrationStoreContract({
    async open() {
      const keyPrefix = `t${randomUUID().slice(0, 8)}:`;
      const store = await RedisRegistrationStore.open({ url: server.url, keyPrefix });
      prefixes.set(store, keyPrefix);
      return store;
    },
    openPeer(store) {
      return RedisRegistrationStore.open({ url: server.url, keyPrefix: prefixes.get(store) as string });
    },
  });

  it('two S-CSCFs on one Redis see each other’s writes', async () => {
    const config = { backend: 'redis' as const, url: server.url, keyPrefix: 'shared:' };
    const a = await openRegistrationStore(config, silentLogger);
    const b = await openRegistrationStore(config, silentLogger);
    try {
      await a.update('sip:alice@ims.test', () =>
        record(['sip:alice@ims.test', 'tel:+15550001'], [binding('sip:a@1')]),
      );
      assert.equal((await b.get('tel:+15550001'))?.bindings[0]?.contact, 'sip:a@1');
      assert.equal(await b.countRegistered(), 1);
      await b.update('tel:+15550001', () => null);
      assert.equal(await a.get('sip:alice@ims.test'), undefined);
      assert.equal(await a.countRegistered(), 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives up with CONFLICT after its bounded retries when another S-CSCF keeps writing', async () => {
    const keyPrefix = 'conflict:';
    const store = await RedisRegistrationStore.open({ url: server.url, keyPrefix, maxAttempts: 3 });
    // Another S-CSCF's write, done synchronously from inside the callback: bumps the revision.
    const bump = `local k = redis.call('KEYS', ARGV[1] .. 'set:*')[1]
      local v = redis.call('GET', k)
      local r = string.match(v, '^{"revision":(%d+)')
      redis.call('SET', k, '{"revision":' .. (tonumber(r) + 1) .. string.sub(v, 13 + string.len(r)))
      return tonumber(r) + 1`;
    try {
      await store.update('sip:alice@ims.test', () => record(['sip:alice@ims.test']));
      let calls = 0;
      const rejected = store.update('sip:alice@ims.test', (cur) => {
        calls++;
        const r = spawnSync('redis-cli', ['-p', String(server.port), 'EVAL', bump, '0', keyPrefix], {
          encoding: 'utf8',
        });
        assert.equal(r.stdout.trim(), String(calls + 1), r.stderr);
        return cur ? { ...cur, impi: 'changed' } : undefined;
      });
      await assert.rejects(
        rejected,
        (e: unknown) =>
          e instanceof StoreError && e.code === 'CONFLICT' && /gave up after 3 attempts/.test(e.message),
      );
      assert.equal(calls, 3);
      const got = await store.get('sip:alice@ims.test');
      assert.equal(got?.revision, 4);
      assert.notEqual(got?.impi, 'changed');
    } finally {
      await store.close();
    }
  });

  it('an unreachable Redis fails the open with UNAVAILABLE naming the server', async () => {
    const port = await freePort();
    await assert.rejects(
      openRegistrationStore({ backend: 'redis', url: `redis://127.0.0.1:${port}/0` }, silentLogger),
      (e: unknown) =>
        e instanceof StoreError &&
        e.code === 'UNAVAILABLE' &&
        e.message.includes(`127.0.0.1:${port}`) &&
        /cannot reach Redis/.test(e.message),
    );
  });

  it('a Redis that goes away rejects calls with UNAVAILABLE, and no error event crashes the process', async () => {
    const own = await startRedisServer();
    const store = await RedisRegistrationStore.open({ url: own.url });
    try {
      await store.update('sip:alice@ims.test', () => record(['sip:alice@ims.test'], [binding('sip:a@1')]));
      await own.stop();
      await assert.rejects(
        store.get('sip:alice@ims.test'),
        (e: unknown) => e instanceof StoreError && e.code === 'UNAVAILABLE' && e.message.includes(own.url),
      );
      await assert.rejects(
        store.update('sip:alice@ims.test', () => undefined),
        (e: unknown) => e instanceof StoreError && e.code === 'UNAVAILABLE',
      );
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
