import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { nextRepositorySequenceNumber } from '../../src/store/sql/service-data-tables.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite/sqlite-subscriber-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { sqliteHarness } from './helpers/harness.ts';
import { subscriber } from './helpers/subscribers.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

describe('SQLite subscriber store', () => {
  subscriberStoreContract(sqliteHarness);

  it('creates the file, its directory and the schema on first run (WAL, numbered migrations)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-hss-first-'));
    const path = join(dir, 'nested', 'dir', 'hss.sqlite');
    try {
      const store = await SqliteSubscriberStore.open({ path });
      const created = await store.createSubscription(subscriber('alice'));
      await store.close();
      assert.ok(existsSync(path));
      const db = new Database(path, { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }]);
      db.close();
      // Opening again migrates nothing and finds the data.
      const again = await SqliteSubscriberStore.open({ path });
      assert.deepEqual(await again.getSubscription(created.id), created);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('UNAVAILABLE when the file cannot be opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-hss-bad-'));
    try {
      writeFileSync(join(dir, 'file'), 'not a directory');
      await assert.rejects(
        SqliteSubscriberStore.open({ path: join(dir, 'file', 'hss.sqlite') }),
        (err: unknown) => err instanceof StoreError && err.code === 'UNAVAILABLE',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('repository data sequence numbers wrap from 65535 to 1 (TS 29.328 §6.1.2.1)', () => {
    assert.equal(nextRepositorySequenceNumber(0), 1);
    assert.equal(nextRepositorySequenceNumber(41), 42);
    assert.equal(nextRepositorySequenceNumber(65535), 1);
  });
});
