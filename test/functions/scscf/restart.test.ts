/**
 * An S-CSCF restarted over its registration snapshot (the `ims up` default): registrations
 * survive it, and one that expired while the S-CSCF was down still ends with SAR
 * TIMEOUT_DEREGISTRATION (TS 29.228 §6.1.2), so the HSS does not keep it registered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digestUser, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

describe('S-CSCF restart over its registration snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-scscf-restart-'));
  let env: ScscfEnv;
  let ue: TestUe;
  const hssState = async (impu: string) =>
    (await env.hss.store.getSubscriptionByImpu(impu))?.publicIdentity.registrationState ?? 'NOT_REGISTERED';

  before(async () => {
    env = await startScscfEnv({ minExpires: 1 }, undefined, {
      store: { backend: 'memory', snapshotPath: join(dir, 'registrations.snapshot') },
    });
    ue = await TestUe.start(env.port);
  });
  after(async () => {
    await ue.close();
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a live registration and ends one that expired while down with SAR', async () => {
    await env.provision(digestUser('rita'));
    await env.provision(digestUser('sam'));
    const register = (name: string, expires: number) =>
      ue.register({
        impu: `sip:${name}@ims.test`,
        impi: `${name}@ims.test`,
        secret: { password: `pw-${name}` },
        expires,
      });
    assert.equal((await register('rita', 2)).response.status, 200);
    assert.equal((await register('sam', 600)).response.status, 200);
    assert.equal(await hssState('sip:rita@ims.test'), 'REGISTERED');

    await env.restartScscf(2500);

    const until = Date.now() + 5000;
    while ((await hssState('sip:rita@ims.test')) !== 'NOT_REGISTERED') {
      assert.ok(Date.now() < until, 'the HSS still has rita registered after the restart');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await env.scscf.registrations.get('sip:rita@ims.test'), undefined);
    assert.equal((await env.scscf.registrations.get('sip:sam@ims.test'))?.state, 'registered');
    assert.equal(await hssState('sip:sam@ims.test'), 'REGISTERED');
  });
});
