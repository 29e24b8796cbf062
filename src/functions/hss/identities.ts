/**
 * Identity checks the Cx procedures share (TS 29.228 §6.1.1.1, §6.1.2.1, §6.3.1): whether a
 * private and a public identity belong together, and which error says why they do not.
 */
import type { SubscriberStore } from '../../store/subscriber-store.ts';
import { ExperimentalResultCode } from './answers.ts';
import { publicIdentitiesOf, type Subscription } from './model.ts';

/** Whether `impi` may use `impu` (stored form): both in the subscription, and in the IMPI's list if it has one. */
export function identitiesMatch(subscription: Subscription, impi: string, impu: string): boolean {
  return publicIdentitiesOf(subscription, impi).includes(impu);
}

/**
 * The error for a pair that does not match: DIAMETER_ERROR_USER_UNKNOWN when either identity is
 * unknown, DIAMETER_ERROR_IDENTITIES_DONT_MATCH when both exist but do not go together
 * (TS 29.228 §6.1.1.1 steps 1-2, §6.3.1 steps 1-2). Called on the error path only.
 */
export async function mismatchCode(store: SubscriberStore, impi: string, impu: string): Promise<number> {
  const [byImpi, byImpu] = await Promise.all([
    store.getSubscriptionByImpi(impi),
    store.getSubscriptionByImpu(impu),
  ]);
  return byImpi === undefined || byImpu === undefined
    ? ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN
    : ExperimentalResultCode.DIAMETER_ERROR_IDENTITIES_DONT_MATCH;
}

/** The visited network as the I-CSCF sent it (Visited-Network-Identifier is an OctetString). */
export function visitedNetwork(value: Buffer | string | undefined): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : (value ?? '');
}
