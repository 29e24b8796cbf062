import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PgSubscriberStore } from '../../src/store/postgres/pg-subscriber-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { pgHarness } from './helpers/harness.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

// .ci/run starts a local PostgreSQL and exports IMS_TEST_PG_URL. Without it the suite is skipped;
// with it, an unreachable server fails the suite (each test's store cannot be opened).
const url = process.env.IMS_TEST_PG_URL;

if (url === undefined || url === '') {
  it('PostgreSQL subscriber store', (t) => {
    t.skip('IMS_TEST_PG_URL not set');
  });
} else {
  describe('PostgreSQL subscriber store', () => {
    subscriberStoreContract(pgHarness(url));

    it('UNAVAILABLE when the server cannot be reached', async () => {
      await assert.rejects(
        PgSubscriberStore.open({ url: 'postgres://ims:ims@127.0.0.1:1/ims_test' }),
        (err: unknown) => err instanceof StoreError && err.code === 'UNAVAILABLE',
      );
    });
  });
}
