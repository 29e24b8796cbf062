/**
 * SNR/SNA: subscription to notifications, TS 29.328 §6.1.3 (detailed behaviour §6.1.3.1),
 * messages TS 29.329 §6.1.5-6.1.6. An application server subscribes to (or unsubscribes from)
 * changes of user data; the HSS then sends PNRs (sh-pnr.ts). Notifications exist here for
 * RepositoryData (PUR), IMSUserState and S-CSCFName (SAR, RTR).
 */
import {
  DataReference,
  SendDataIndication,
  type ShAnswer,
  type SubscribeNotificationsAnswer,
  type SubscribeNotificationsRequest,
  SubsReqType,
} from '../../diameter/apps/sh.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import type { ShSubscription } from './model.ts';
import { permitted, resolveUserIdentity, serviceIndications } from './sh-access.ts';
import { buildShData } from './sh-data.ts';
import { readShData, wildcardAvps } from './sh-udr.ts';

type Sna = ShAnswer<SubscribeNotificationsAnswer>;

/** The Data-References this HSS notifies changes of. */
const NOTIFIABLE: readonly number[] = [
  DataReference.RepositoryData,
  DataReference.IMSUserState,
  DataReference['S-CSCFName'],
];

export function registerSubscribeNotifications(ctx: HssContext): void {
  ctx.sh.onSubscribeNotifications((req) => subscribeNotifications(ctx, req));
}

export async function subscribeNotifications(
  ctx: HssContext,
  req: SubscribeNotificationsRequest,
): Promise<Sna> {
  const fail = (code: number) => experimental(code) as Sna;
  // Step 1: the user exists.
  const match = await resolveUserIdentity(ctx, req.userIdentity);
  if (match === undefined) return fail(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN);
  const refs = [...new Set(req.dataReference)];
  // Step 2: the AS may subscribe to these Data-References, and the HSS notifies their changes.
  if (
    !refs.every((r) => NOTIFIABLE.includes(r)) ||
    !(await permitted(ctx, req.originHost, 'subscribe', refs))
  )
    return fail(ExperimentalResultCode.DIAMETER_ERROR_USER_DATA_CANNOT_BE_NOTIFIED);
  const indications = serviceIndications(req.serviceIndication);
  const repository = refs.includes(DataReference.RepositoryData);
  // TS 29.328 §7.6.1: RepositoryData is subscribed to per Service-Indication.
  if (repository && indications.length === 0) return result(ResultCode.DIAMETER_MISSING_AVP) as Sna;

  const impu = match.publicIdentity.impu;
  const keys = refs.map(
    (dataReference): ShSubscription => ({
      impu,
      applicationServerHost: req.originHost,
      dataReference,
      serviceIndications: dataReference === DataReference.RepositoryData ? indications : [],
    }),
  );
  if (req.subsReqType === SubsReqType.Unsubscribe) {
    for (const key of keys) await ctx.store.deleteShSubscription(key);
    return { ...success(), ...wildcardAvps(match) };
  }
  if (repository) {
    // TS 29.329 §6.2 DIAMETER_ERROR_SUBS_DATA_ABSENT: no such repository data to watch.
    for (const si of indications)
      if ((await ctx.store.getRepositoryData(impu, si)) === undefined)
        return fail(ExperimentalResultCode.DIAMETER_ERROR_SUBS_DATA_ABSENT);
  }
  const expiresAt = req.expiryTime?.getTime();
  for (const key of keys) await ctx.store.putShSubscription({ ...key, ...(expiresAt ? { expiresAt } : {}) });

  const answer: Partial<Sna> = { ...success(), ...wildcardAvps(match) };
  if (req.expiryTime !== undefined) answer.expiryTime = req.expiryTime;
  // Send-Data-Indication: the current data comes with the answer.
  if (req.sendDataIndication === SendDataIndication.USER_DATA_REQUESTED) {
    const read = await readShData(ctx, match, {
      dataReference: refs,
      ...(req.serviceIndication !== undefined ? { serviceIndication: req.serviceIndication } : {}),
    });
    if ('data' in read) answer.userData = Buffer.from(buildShData(read.data), 'utf8');
  }
  return answer as Sna;
}
