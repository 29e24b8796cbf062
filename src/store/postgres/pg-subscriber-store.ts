/**
 * The scale-out backend: the subscriber store in PostgreSQL, for HSS front-ends that share it
 * (ARCHITECTURE.md §6). Same schema and behaviour as SQLite; the SQN and registration paths lock
 * their rows with SELECT ... FOR UPDATE.
 */
import { migrate } from '../sql/migrations.ts';
import { SqlSubscriberStore, type SqlSubscriberStoreOptions } from '../sql/sql-subscriber-store.ts';
import { PgDriver, type PgDriverOptions } from './pg-driver.ts';

export interface PgSubscriberStoreOptions extends PgDriverOptions, SqlSubscriberStoreOptions {}

export class PgSubscriberStore extends SqlSubscriberStore {
  /** Connects (StoreError UNAVAILABLE when the server cannot be reached) and migrates. */
  static async open(options: PgSubscriberStoreOptions): Promise<PgSubscriberStore> {
    const driver = new PgDriver(options);
    try {
      await driver.connect();
      const version = await migrate(driver);
      const store = new PgSubscriberStore(driver, options);
      store.logger.debug({ schema: version }, 'PostgreSQL subscriber store open');
      return store;
    } catch (err) {
      await driver.close();
      throw err;
    }
  }
}
