/**
 * PUR/PUA: data update, TS 29.328 §6.1.2 (detailed behaviour §6.1.2.1), messages TS 29.329
 * §6.1.3-6.1.4. An application server creates, changes or deletes its repository data
 * (transparent data per Service-Indication). Sequence-Number rules of §6.1.2.1: 0 creates,
 * each update carries the stored number + 1 (65535 is followed by 1), checked in the store's
 * transaction so two ASs cannot both win. Subscribers (SNR) are then notified (PNR).
 */
import {
  DataReference,
  type ProfileUpdateAnswer,
  type ProfileUpdateRequest,
  type ShAnswer,
} from '../../diameter/apps/sh.ts';
import { StoreError } from '../../store/store-error.ts';
import { ExperimentalResultCode, experimental, success } from './answers.ts';
import type { HssContext } from './hss-context.ts';
import { permitted, resolveUserIdentity } from './sh-access.ts';
import { parseRepositoryData, ShDataError, type ShRepositoryData } from './sh-data.ts';
import { inBackground, notifyRepositoryData } from './sh-pnr.ts';
import { wildcardAvps } from './sh-udr.ts';

type Pua = ShAnswer<ProfileUpdateAnswer>;

export function registerProfileUpdate(ctx: HssContext): void {
  ctx.sh.onProfileUpdate((req) => profileUpdate(ctx, req));
}

export async function profileUpdate(ctx: HssContext, req: ProfileUpdateRequest): Promise<Pua> {
  const fail = (code: number) => experimental(code) as Pua;
  // Step 1: the user exists.
  const match = await resolveUserIdentity(ctx, req.userIdentity);
  if (match === undefined) return fail(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN);
  // Step 2: only repository data is updated by ASs here, and only by those allowed to.
  // DEVIATION: PSIActivation and DSAI updates (TS 29.328 §6.1.2.2-6.1.2.3) are not supported.
  if (
    req.dataReference !== DataReference.RepositoryData ||
    !(await permitted(ctx, req.originHost, 'update', [req.dataReference]))
  )
    return fail(ExperimentalResultCode.DIAMETER_ERROR_USER_DATA_CANNOT_BE_MODIFIED);
  // Step 3: the Sh-Data must be understood (TS 29.328 Annex D).
  let items: ShRepositoryData[];
  try {
    items = parseRepositoryData(req.userData.toString('utf8'));
  } catch (err) {
    if (err instanceof ShDataError) {
      ctx.log.info({ as: req.originHost, err: err.message }, 'PUR Sh-Data not recognised');
      return fail(ExperimentalResultCode.DIAMETER_ERROR_USER_DATA_NOT_RECOGNIZED);
    }
    throw err;
  }
  const max = ctx.config.sh.maxRepositoryDataBytes;
  if (items.some((rd) => Buffer.byteLength(rd.serviceData ?? '', 'utf8') > max))
    return fail(ExperimentalResultCode.DIAMETER_ERROR_TOO_MUCH_DATA);

  const impu = match.publicIdentity.impu;
  for (const rd of items) {
    try {
      const stored = await ctx.store.updateRepositoryData(impu, {
        serviceIndication: rd.serviceIndication,
        sequenceNumber: rd.sequenceNumber,
        // ServiceData absent: the repository data is deleted.
        ...(rd.serviceData !== undefined ? { data: rd.serviceData } : {}),
      });
      const change = {
        serviceIndication: rd.serviceIndication,
        sequenceNumber: rd.sequenceNumber,
        ...(stored !== undefined ? { serviceData: stored.data } : {}),
      };
      inBackground(ctx, 'PNR', notifyRepositoryData(ctx, impu, change));
    } catch (err) {
      // §6.1.2.1: a number that does not follow the stored one, or a delete of nothing.
      if (err instanceof StoreError && (err.code === 'OUT_OF_SYNC' || err.code === 'NOT_FOUND'))
        return fail(ExperimentalResultCode.DIAMETER_ERROR_TRANSPARENT_DATA_OUT_OF_SYNC);
      throw err;
    }
  }
  return { ...success(), ...wildcardAvps(match) };
}
