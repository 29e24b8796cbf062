/**
 * RTR/RTA: network initiated de-registration by the HSS, administrative, TS 29.228 §6.1.3
 * (detailed behaviour §6.1.3.1), messages TS 29.229 §6.1.9-6.1.10. The operator de-registers a
 * public identity (and its implicit registration set); the HSS tells the S-CSCF serving it, and
 * once the S-CSCF has acknowledged, clears the registration and the S-CSCF name.
 */
import { ReasonCode } from '../../diameter/apps/cx.ts';
import { answerResult } from '../../diameter/apps/result.ts';
import { StoreError } from '../../store/store-error.ts';
import { type ActionOutcome, type DeregistrationReason, exchange } from './actions.ts';
import type { HssContext } from './hss-context.ts';
import { identitiesMatch } from './identities.ts';
import { implicitRegistrationSetOf } from './model.ts';
import { applyRegistration } from './registration.ts';
import { inBackground, notifyRegistrationChanges } from './sh-pnr.ts';

export async function deregister(
  ctx: HssContext,
  impu: string,
  reasonGiven: string | DeregistrationReason = {},
): Promise<ActionOutcome> {
  const reason: DeregistrationReason =
    typeof reasonGiven === 'string' ? { reasonInfo: reasonGiven } : reasonGiven;
  const match = await ctx.store.getSubscriptionByImpu(impu);
  if (match === undefined || match.wildcarded)
    throw new StoreError('NOT_FOUND', `no public identity ${impu}`, { field: 'impu' });
  const { subscription } = match;
  const stored = match.publicIdentity.impu;
  const targets = implicitRegistrationSetOf(subscription, stored);
  const entries = subscription.publicIdentities.filter((p) => targets.includes(p.impu));
  const registered = entries.some((p) => p.registrationState === 'REGISTERED');
  const inUse = entries.some((p) => (p.registrationState ?? 'NOT_REGISTERED') !== 'NOT_REGISTERED');
  const assigned = subscription.serverAssignment;
  const clear = async () => {
    const view = await ctx.store.updateRegistration(stored, (v) =>
      applyRegistration(v, targets, { state: 'NOT_REGISTERED' }),
    );
    inBackground(ctx, 'Sh notifications', notifyRegistrationChanges(ctx, subscription, view));
  };
  if (assigned?.diameterHost === undefined) {
    // No S-CSCF to tell (never assigned, or provisioned without its Diameter identity).
    if (inUse) await clear();
    return { sent: false, publicIdentities: targets };
  }

  // User-Name: an IMPI registered with the identities; the others go in Associated-Identities.
  const impis = [...new Set(entries.flatMap((p) => p.registeredPrivateIdentities ?? []))];
  if (impis.length === 0) {
    const owner = subscription.privateIdentities.find((p) => identitiesMatch(subscription, p.impi, stored));
    impis.push(owner?.impi ?? stored);
  }
  // TS 29.229 §6.3.17: REMOVE_S-CSCF when the S-CSCF only keeps the profile (nothing registered).
  const reasonCode =
    reason.reasonCode ?? (registered ? ReasonCode.PERMANENT_TERMINATION : ReasonCode['REMOVE_S-CSCF']);
  const host = assigned.diameterHost;
  const result = await exchange(
    'RTR',
    host,
    () =>
      ctx.cx.registrationTermination({
        destinationHost: host,
        destinationRealm: assigned.diameterRealm ?? ctx.config.diameter.originRealm,
        userName: impis[0]!,
        ...(impis.length > 1 ? { associatedIdentities: { userName: impis } } : {}),
        publicIdentity: targets,
        deregistrationReason: {
          reasonCode,
          ...(reason.reasonInfo !== undefined ? { reasonInfo: reason.reasonInfo } : {}),
        },
      }),
    answerResult,
  );
  ctx.log.info({ impu: stored, scscf: host, reasonCode }, 'administrative de-registration');
  await clear();
  return { sent: true, scscf: { name: assigned.scscfName, host }, publicIdentities: targets, result };
}
