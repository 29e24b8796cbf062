/**
 * Contract tests, crash half: SQNs handed out by a process killed with SIGKILL mid-loop are all
 * below the SQN stored, and several processes sharing the database never hand out one twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSubscriberStore } from '../../src/store/open-subscriber-store.ts';
import type { StoreHarness } from './helpers/harness.ts';
import { runWriterUntilKilled } from './helpers/run-writer.ts';
import { subscriber } from './helpers/subscribers.ts';

const STEP = 32;

export function crashContract(harness: StoreHarness): void {
  describe('SQN across a crash (kill -9)', () => {
    it('every SQN printed by a killed process is at or below the stored SQN, and is not reused', async () => {
      const fresh = await harness.fresh();
      try {
        await fresh.store.createSubscription(subscriber('alice'));
        await fresh.store.close();

        const first = await runWriterUntilKilled(fresh.config, 'alice@ims.test', 150, STEP);
        assert.equal(first.signal, 'SIGKILL');
        assert.ok(first.printed.length >= 150);
        first.printed.forEach((sqn, i) => {
          assert.equal(sqn, (i + 1) * STEP, 'strictly one step after the other');
        });

        let store = await openSubscriberStore(fresh.config);
        const stored = (await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn ?? -1;
        await store.close();
        const highest = Math.max(...first.printed);
        // The child may have committed one more SQN after its last print, never fewer.
        assert.ok(stored >= highest, `stored ${stored} < printed ${highest}`);
        assert.ok(stored <= highest + STEP, `stored ${stored} is more than one step past ${highest}`);

        const second = await runWriterUntilKilled(fresh.config, 'alice@ims.test', 20, STEP);
        assert.ok(second.printed[0]! > highest, 'the restarted process continues above every SQN handed out');
        store = await openSubscriberStore(fresh.config);
        assert.ok(
          ((await store.getSubscriptionByImpi('alice@ims.test'))?.privateIdentities[0]?.sqn ?? -1) >=
            Math.max(...second.printed),
        );
        await store.close();
      } finally {
        await fresh.dispose();
      }
    });

    it('two processes on the same database never hand out the same SQN', async () => {
      const fresh = await harness.fresh();
      try {
        await fresh.store.createSubscription(subscriber('bob'));
        await fresh.store.close();
        const [a, b] = await Promise.all([
          runWriterUntilKilled(fresh.config, 'bob@ims.test', 100, STEP),
          runWriterUntilKilled(fresh.config, 'bob@ims.test', 100, STEP),
        ]);
        const all = [...a.printed, ...b.printed];
        assert.equal(new Set(all).size, all.length, 'no SQN printed twice');
        for (const sqn of all) assert.equal(sqn % STEP, 0);
        const store = await openSubscriberStore(fresh.config);
        const stored = (await store.getSubscriptionByImpi('bob@ims.test'))?.privateIdentities[0]?.sqn ?? -1;
        await store.close();
        assert.ok(stored >= Math.max(...all));
      } finally {
        await fresh.dispose();
      }
    });
  });
}
