/**
 * The embedded default: the subscriber store in one SQLite file (WAL mode), created with its
 * schema on first run and migrated on every open.
 */
import { migrate } from '../sql/migrations.ts';
import { SqlSubscriberStore, type SqlSubscriberStoreOptions } from '../sql/sql-subscriber-store.ts';
import { SqliteDriver, type SqliteDriverOptions } from './sqlite-driver.ts';

export interface SqliteSubscriberStoreOptions extends SqliteDriverOptions, SqlSubscriberStoreOptions {
  /** The database file (its directory is created if needed); ':memory:' for a throw-away store. */
  path: string;
}

export class SqliteSubscriberStore extends SqlSubscriberStore {
  /** Opens (creating and migrating) the store. */
  static async open(options: SqliteSubscriberStoreOptions): Promise<SqliteSubscriberStore> {
    const driver = new SqliteDriver(options.path, options);
    try {
      const version = await migrate(driver);
      const store = new SqliteSubscriberStore(driver, options);
      store.logger.debug({ path: options.path, schema: version }, 'SQLite subscriber store open');
      return store;
    } catch (err) {
      await driver.close();
      throw err;
    }
  }
}
