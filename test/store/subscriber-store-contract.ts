/**
 * The behaviour every SubscriberStore backend must have, as one suite run against each
 * (sqlite-subscriber-store.test.ts, pg-subscriber-store.test.ts).
 */
import { crashContract } from './contract-crash.ts';
import { provisioningContract } from './contract-provisioning.ts';
import { runtimeContract } from './contract-runtime.ts';
import type { StoreHarness } from './helpers/harness.ts';

export function subscriberStoreContract(harness: StoreHarness): void {
  provisioningContract(harness);
  runtimeContract(harness);
  crashContract(harness);
}
