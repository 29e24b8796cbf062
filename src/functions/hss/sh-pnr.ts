/**
 * PNR/PNA: notifications of subscribed data, TS 29.328 §6.1.4 (detailed behaviour §6.1.4.1),
 * messages TS 29.329 §6.1.7-6.1.8. When data an AS subscribed to (SNR, sh-snr.ts) changes,
 * the HSS sends the AS a PNR with the new data in Sh-Data. Notifications go out after the
 * change is stored and never hold up the request that made it.
 */
import { answerResult } from '../../diameter/apps/result.ts';
import { DataReference } from '../../diameter/apps/sh.ts';
import { ExperimentalResultCode } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import type { RegistrationState, RegistrationView, ShSubscription, Subscription } from './model.ts';
import { buildShData, ImsUserState, type ShData } from './sh-data.ts';

/** TS 29.328 Annex D tIMSUserState for a registration state of the model. */
export function imsUserState(state: RegistrationState | undefined): ImsUserState {
  if (state === 'REGISTERED') return ImsUserState.REGISTERED;
  if (state === 'UNREGISTERED') return ImsUserState.REGISTERED_UNREG_SERVICES;
  return ImsUserState.NOT_REGISTERED;
}

/** Sends one PNR; true when the AS answered with success. */
export async function pushNotification(
  ctx: HssContext,
  subscription: ShSubscription,
  data: ShData,
): Promise<boolean> {
  const host = subscription.applicationServerHost;
  try {
    const pna = await ctx.sh.pushNotification({
      destinationHost: host,
      destinationRealm: ctx.node.peer(host)?.realm ?? ctx.config.diameter.originRealm,
      userIdentity: { publicIdentity: subscription.impu },
      userData: Buffer.from(buildShData(data), 'utf8'),
    });
    const outcome = answerResult(pna);
    // TS 29.328 §6.1.4.1: an AS no longer subscribed says so; the subscription is removed.
    if (outcome.code === ExperimentalResultCode.DIAMETER_ERROR_NO_SUBSCRIPTION_TO_DATA && outcome.vendorId) {
      await ctx.store.deleteShSubscription(subscription);
    }
    if (!outcome.success)
      ctx.log.info({ to: host, impu: subscription.impu, result: outcome.code }, 'PNA refused');
    return outcome.success;
  } catch (err) {
    ctx.log.warn({ to: host, impu: subscription.impu, err: (err as Error).message }, 'PNR not delivered');
    return false;
  }
}

/**
 * Repository data of `impu` changed (PUR): every AS subscribed to RepositoryData for that
 * service indication (or to all of them) gets it; a deleted one without ServiceData.
 */
export async function notifyRepositoryData(
  ctx: HssContext,
  impu: string,
  data: { serviceIndication: string; sequenceNumber: number; serviceData?: string },
): Promise<number> {
  const subscriptions = await ctx.store.listShSubscriptions(impu, {
    dataReference: DataReference.RepositoryData,
    now: Date.now(),
  });
  const wanted = subscriptions.filter(
    (s) => s.serviceIndications.length === 0 || s.serviceIndications.includes(data.serviceIndication),
  );
  const sent = await Promise.all(wanted.map((s) => pushNotification(ctx, s, { repositoryData: [data] })));
  return sent.filter(Boolean).length;
}

/**
 * The registration of some public identities changed (SAR, RTR): ASs subscribed to IMSUserState
 * or S-CSCFName of an identity whose state or S-CSCF changed are told the new value.
 */
export async function notifyRegistrationChanges(
  ctx: HssContext,
  before: Subscription,
  after: RegistrationView,
): Promise<void> {
  const previous = new Map(
    before.publicIdentities.map((p) => [p.impu, p.registrationState ?? 'NOT_REGISTERED']),
  );
  const nameBefore = before.serverAssignment?.scscfName;
  const nameAfter = after.serverAssignment?.scscfName;
  for (const r of after.publicIdentities) {
    const stateChanged = previous.get(r.impu) !== r.registrationState;
    if (!stateChanged && nameBefore === nameAfter) continue;
    const subscriptions = await ctx.store.listShSubscriptions(r.impu, { now: Date.now() });
    for (const s of subscriptions) {
      if (s.dataReference === DataReference.IMSUserState && stateChanged)
        await pushNotification(ctx, s, { imsData: { imsUserState: imsUserState(r.registrationState) } });
      else if (s.dataReference === DataReference['S-CSCFName'] && nameBefore !== nameAfter)
        await pushNotification(ctx, s, { imsData: nameAfter === undefined ? {} : { scscfName: nameAfter } });
    }
  }
}

/** Runs a notification without holding up the caller; failures are logged. */
export function inBackground(ctx: HssContext, what: string, task: Promise<unknown>): void {
  task.catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, `${what} failed`));
}
