/**
 * PPR/PPA: HSS initiated update of user information, TS 29.228 §6.2.2 (detailed behaviour
 * §6.2.2.1), messages TS 29.229 §6.1.11-6.1.12. After the profile of a subscription changed,
 * the HSS sends the S-CSCF serving it the new User-Data of the identities it holds (registered,
 * or unregistered with services) and the Charging-Information.
 */
import { answerResult } from '../../diameter/apps/result.ts';
import { StoreError } from '../../store/store-error.ts';
import { type ActionOutcome, exchange } from './actions.ts';
import type { HssContext } from './hss-context.ts';
import { chargingInformation, userData } from './user-data-download.ts';

export async function pushProfile(ctx: HssContext, subscriptionId: string): Promise<ActionOutcome> {
  const subscription = await ctx.store.getSubscription(subscriptionId);
  if (subscription === undefined)
    throw new StoreError('NOT_FOUND', `no subscription ${subscriptionId}`, { field: 'id' });
  const assigned = subscription.serverAssignment;
  const held = subscription.publicIdentities.filter(
    (p) => (p.registrationState ?? 'NOT_REGISTERED') !== 'NOT_REGISTERED',
  );
  // Nothing held by an S-CSCF: the new profile goes with the next SAR.
  if (assigned?.diameterHost === undefined || held.length === 0)
    return { sent: false, publicIdentities: held.map((p) => p.impu) };
  const impus = held.map((p) => p.impu);
  const impi =
    held.flatMap((p) => p.registeredPrivateIdentities ?? [])[0] ?? subscription.privateIdentities[0]?.impi;
  const host = assigned.diameterHost;
  // DEVIATION: the HSS does not remember which S-CSCF announced Shared iFC Sets (TS 29.229
  // §7.2.1) in its SAR; PPR always carries the iFCs of shared sets expanded, which every S-CSCF reads.
  const data = await userData(ctx, subscription, impus, {
    ...(impi !== undefined ? { privateIdentity: impi } : {}),
    sharedIfcSets: false,
  });
  const charging = chargingInformation(subscription);
  const result = await exchange(
    'PPR',
    host,
    () =>
      ctx.cx.pushProfile({
        destinationHost: host,
        destinationRealm: assigned.diameterRealm ?? ctx.config.diameter.originRealm,
        userName: impi ?? impus[0]!,
        userData: data,
        ...(charging !== undefined ? { chargingInformation: charging } : {}),
      }),
    answerResult,
  );
  ctx.log.info({ subscription: subscriptionId, scscf: host }, 'profile pushed');
  return { sent: true, scscf: { name: assigned.scscfName, host }, publicIdentities: impus, result };
}
