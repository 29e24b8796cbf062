export { MemoryRegistrationStore, type MemoryRegistrationStoreOptions } from './memory-registration-store.ts';
export { openRegistrationStore } from './open-registration-store.ts';
export { RedisRegistrationStore, type RedisRegistrationStoreOptions } from './redis-registration-store.ts';
export type {
  Binding,
  Registration,
  RegistrationState,
  RegistrationStore,
  RegistrationStoreConfig,
  RegistrationUpdate,
} from './types.ts';
