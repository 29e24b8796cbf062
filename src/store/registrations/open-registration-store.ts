/**
 * Opens the registration store an S-CSCF configuration names: memory (the default, with an
 * optional snapshot file) or Redis (shared by several S-CSCFs).
 */
import type { Logger } from '../../log/logger.ts';
import { MemoryRegistrationStore } from './memory-registration-store.ts';
import { RedisRegistrationStore } from './redis-registration-store.ts';
import type { RegistrationStore, RegistrationStoreConfig } from './types.ts';

/**
 * The store `config` names, ready: the memory store has loaded its snapshot (a corrupt one
 * rejects naming the file), the Redis store has answered PING (StoreError UNAVAILABLE if not).
 */
export function openRegistrationStore(
  config: RegistrationStoreConfig,
  logger: Logger,
): Promise<RegistrationStore> {
  const log = logger.child({ store: 'registrations' });
  if (config.backend === 'redis')
    return RedisRegistrationStore.open({
      url: config.url,
      logger,
      ...(config.keyPrefix !== undefined ? { keyPrefix: config.keyPrefix } : {}),
    });
  return MemoryRegistrationStore.open({
    logger: log,
    ...(config.snapshotPath !== undefined ? { snapshotPath: config.snapshotPath } : {}),
    ...(config.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: config.snapshotIntervalMs } : {}),
  });
}
