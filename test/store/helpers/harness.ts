/** Fresh, empty stores for the contract suite: one SQLite file, or one PostgreSQL schema, per test. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSubscriberStore, type SubscriberStoreConfig } from '../../../src/store/open-subscriber-store.ts';
import type { SubscriberStore } from '../../../src/store/subscriber-store.ts';

export interface FreshStore {
  store: SubscriberStore;
  /** Opens the same database again, in this process or a child (JSON-safe). */
  config: SubscriberStoreConfig;
  dispose(): Promise<void>;
}

export interface StoreHarness {
  fresh(): Promise<FreshStore>;
}

export const sqliteHarness: StoreHarness = {
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'ims-hss-store-'));
    const config: SubscriberStoreConfig = { backend: 'sqlite', path: join(dir, 'data', 'hss.sqlite') };
    const store = await openSubscriberStore(config);
    return {
      store,
      config,
      async dispose() {
        await store.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Each test gets its own schema in the database of `url` (search_path set through the URL). */
export function pgHarness(url: string): StoreHarness {
  return {
    async fresh() {
      const schema = `ims_t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await admin.end();
      }
      const sep = url.includes('?') ? '&' : '?';
      const config: SubscriberStoreConfig = {
        backend: 'pg',
        url: `${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        maxConnections: 8,
      };
      const store = await openSubscriberStore(config);
      return {
        store,
        config,
        async dispose() {
          await store.close().catch(() => undefined);
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            await c.query(`DROP SCHEMA ${schema} CASCADE`);
          } finally {
            await c.end();
          }
        },
      };
    },
  };
}
