import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.ts';
import { MemoryRegistrationStore, openRegistrationStore } from '../../../src/store/registrations/index.ts';
import type { Registration } from '../../../src/store/registrations/types.ts';
import { StoreError } from '../../../src/store/store-error.ts';
import { binding, record, registrationStoreContract } from './registration-store-contract.ts';

describe('memory registration store', () => {
  registrationStoreContract({ open: () => MemoryRegistrationStore.open() });

  describe('snapshot', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ims-regsnap-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function all(store: { list(): AsyncIterable<Registration> }): Promise<Registration[]> {
      const out: Registration[] = [];
      for await (const r of store.list()) out.push(r);
      return out.sort((a, b) => (a.impus[0] as string).localeCompare(b.impus[0] as string));
    }

    it('a restart keeps every record as it was; bindings that expired meanwhile are left to the expiry sweep', async () => {
      const path = join(dir, 'restart', 'registrations.snapshot');
      const t = Date.now();
      const store = await openRegistrationStore({ backend: 'memory', snapshotPath: path }, silentLogger);
      await store.update('sip:alice@ims.test', () =>
        record(
          ['sip:alice@ims.test', 'tel:+15550001'],
          [binding('sip:a@1', t + 600_000), binding('sip:a@2', t + 1_000)],
          { charging: { ccf: ['aaa://cdf.ims.test'] } },
        ),
      );
      await store.update('sip:bob@ims.test', () =>
        record(['sip:bob@ims.test'], [binding('sip:b@1', t + 1_000)]),
      );
      await store.update('sip:carol@ims.test', () => record(['sip:carol@ims.test']));
      await store.update('sip:dave@ims.test', () =>
        record(['sip:dave@ims.test'], [binding('sip:d@1', t + 900_000)]),
      );
      const before = await all(store);
      await store.close();

      // Reopened: bob's only binding and one of alice's expire before the sweep looks 2 s later,
      // which then ends them as it would have with the S-CSCF up (SAR, NOTIFY).
      const again = await MemoryRegistrationStore.open({ snapshotPath: path });
      assert.deepEqual(await all(again), before);
      assert.equal((await again.get('tel:+15550001'))?.impi, 'alice@ims.test');
      assert.deepEqual(await again.expiring(t + 2_000), ['sip:alice@ims.test', 'sip:bob@ims.test']);
      await again.close();
    });

    it('writes every snapshotIntervalMs when something changed', async () => {
      const path = join(dir, 'interval.snapshot');
      const store = await MemoryRegistrationStore.open({ snapshotPath: path, snapshotIntervalMs: 20 });
      await store.update('sip:alice@ims.test', () => record(['sip:alice@ims.test'], [binding('sip:a@1')]));
      const deadline = Date.now() + 5_000;
      while (!(await stat(path).catch(() => undefined))) {
        assert.ok(Date.now() < deadline, 'no snapshot written within 5 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      // Read while the store is still open: the periodic write is complete on its own.
      const copy = await MemoryRegistrationStore.open({ snapshotPath: path });
      assert.equal((await copy.get('sip:alice@ims.test'))?.bindings.length, 1);
      await copy.close();
      await store.close();
    });

    it('a corrupt snapshot fails the open, naming the file, and is left as it was', async () => {
      const path = join(dir, 'corrupt.snapshot');
      const store = await MemoryRegistrationStore.open({ snapshotPath: path });
      await store.update('sip:alice@ims.test', () => record(['sip:alice@ims.test'], [binding('sip:a@1')]));
      await store.close();
      const good = await readFile(path, 'utf8');
      const lines = good.split('\n');
      const cases: [string, string][] = [
        ['garbage in a record', [lines[0], '{"revision":1,"impus":[', ...lines.slice(2)].join('\n')],
        ['truncated', lines.slice(0, 2).join('\n')],
        ['not a snapshot', 'hello\n'],
        ['record of the wrong shape', [lines[0], '{"revision":1,"impus":[]}', ...lines.slice(2)].join('\n')],
      ];
      for (const [what, text] of cases) {
        await writeFile(path, text);
        await assert.rejects(
          openRegistrationStore({ backend: 'memory', snapshotPath: path }, silentLogger),
          (e: unknown) =>
            e instanceof StoreError &&
            e.code === 'UNAVAILABLE' &&
            e.message.includes(path) &&
            /corrupt/.test(e.message),
          what,
        );
        assert.equal(await readFile(path, 'utf8'), text, `${what}: file changed`);
      }
    });

    it('starts empty when there is no snapshot yet', async () => {
      const store = await MemoryRegistrationStore.open({ snapshotPath: join(dir, 'none', 'x.snapshot') });
      assert.equal(await store.countRegistered(), 0);
      await store.close();
    });
  });

  it('answers expiring() without scanning 100,000 records', async () => {
    const store = await MemoryRegistrationStore.open();
    const t = Date.now();
    for (let i = 0; i < 100_000; i++) {
      const impu = `sip:u${i}@ims.test`;
      await store.update(impu, () => record([impu], [binding(`sip:u${i}@h`, t + 10_000 + i * 10)]));
    }
    const start = process.hrtime.bigint();
    let due: string[] = [];
    for (let k = 0; k < 1000; k++) due = await store.expiring(t + 10_000 + 50);
    const perCallUs = Number(process.hrtime.bigint() - start) / 1000 / 1000;
    assert.deepEqual(due.sort(), [
      'sip:u0@ims.test',
      'sip:u1@ims.test',
      'sip:u2@ims.test',
      'sip:u3@ims.test',
      'sip:u4@ims.test',
      'sip:u5@ims.test',
    ]);
    // A scan of 100,000 records takes milliseconds; the heap walk visits the due ones only.
    assert.ok(perCallUs < 500, `expiring() took ${perCallUs.toFixed(1)} µs`);
    assert.equal(await store.countRegistered(), 100_000);
    await store.close();
  });
});
