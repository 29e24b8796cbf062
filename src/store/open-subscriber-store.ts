/**
 * Opens the subscriber store a configuration names: SQLite (the embedded default) or
 * PostgreSQL (`pg`).
 */
import type { Logger } from '../log/logger.ts';
import { PgSubscriberStore } from './postgres/pg-subscriber-store.ts';
import { SqliteSubscriberStore } from './sqlite/sqlite-subscriber-store.ts';
import type { SubscriberStore } from './subscriber-store.ts';

export type SubscriberStoreConfig =
  | { backend: 'sqlite'; path: string; synchronous?: 'FULL' | 'NORMAL'; busyTimeoutMs?: number }
  | { backend: 'pg'; url: string; maxConnections?: number };

export function openSubscriberStore(
  config: SubscriberStoreConfig,
  logger?: Logger,
): Promise<SubscriberStore> {
  const log = logger ? { logger } : {};
  return config.backend === 'pg'
    ? PgSubscriberStore.open({ ...config, ...log })
    : SqliteSubscriberStore.open({ ...config, ...log });
}
