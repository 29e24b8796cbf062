/**
 * The S-CSCF with its registrations in Redis (issue #7: "Redis for several S-CSCFs sharing
 * state"): a UE registers through the S-CSCF, another store instance on the same Redis (a
 * second S-CSCF) sees the binding, and a de-registration removes it for both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisRegistrationStore } from '../../../src/store/registrations/index.ts';
import { type RedisServer, startRedisServer } from '../../store/registrations/helpers/redis-server.ts';
import { digestUser, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

describe('S-CSCF registrations in Redis', () => {
  let redis: RedisServer;
  let env: ScscfEnv;
  let other: RedisRegistrationStore;
  let ue: TestUe;

  before(async () => {
    redis = await startRedisServer();
    env = await startScscfEnv({}, undefined, {
      store: { backend: 'redis', url: redis.url, keyPrefix: 'it:' },
    });
    other = await RedisRegistrationStore.open({ url: redis.url, keyPrefix: 'it:' });
    ue = await TestUe.start(env.port);
  });
  after(async () => {
    await ue?.close();
    await other?.close();
    await env?.stop();
    await redis?.stop();
  });

  it('a registration made through one S-CSCF is read by another store on the same Redis', async () => {
    await env.provision(digestUser('rhea'));
    const r = await ue.register({
      impu: 'sip:rhea@ims.test',
      impi: 'rhea@ims.test',
      secret: { password: 'pw-rhea' },
      expires: 300,
    });
    assert.equal(r.response.status, 200, r.response.reason);
    const seen = await other.get('sip:rhea@ims.test');
    assert.equal(seen?.state, 'registered');
    assert.equal(seen?.impi, 'rhea@ims.test');
    assert.equal(seen?.bindings.length, 1);
    assert.equal(await other.countRegistered(), 1);

    const gone = await ue.register({
      impu: 'sip:rhea@ims.test',
      impi: 'rhea@ims.test',
      secret: { password: 'pw-rhea' },
      expires: 0,
    });
    assert.equal(gone.response.status, 200);
    assert.equal(await other.get('sip:rhea@ims.test'), undefined);
    assert.equal(await other.countRegistered(), 0);
  });
});
