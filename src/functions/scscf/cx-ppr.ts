/**
 * PPR/PPA at the S-CSCF: the HSS pushes a changed user profile (TS 29.228 §6.2.2, detailed
 * behaviour §6.2.2.1). The User-Data replaces the stored one of every registration it
 * covers (the implicit sets are recomputed), the Charging-Information likewise; the next
 * request is served with the new iFCs. A user we do not serve gets
 * DIAMETER_ERROR_USER_UNKNOWN, User-Data we cannot read DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA.
 */
import type { CxAnswer, PushProfileAnswer, PushProfileRequest } from '../../diameter/apps/cx.ts';
import { experimentalResult } from '../../diameter/apps/result.ts';
import { ExperimentalResultCode, ResultCode } from '../../diameter/result-code.ts';
import { type ImsSubscription, parseUserData } from '../../ims/user-data.ts';
import type { Logger } from '../../log/logger.ts';
import type { Registration, RegistrationStore } from '../../store/registrations/types.ts';
import { chargingAddresses } from './cx-client.ts';
import type { RegEventNotifier } from './reg-event-notifier.ts';
import { reportedIdentities } from './reginfo-state.ts';
import { canonicalImpu, servedProfile } from './user-profile.ts';

type Ppa = CxAnswer<PushProfileAnswer>;

export async function pushProfile(
  req: PushProfileRequest,
  registrations: RegistrationStore,
  notifier: RegEventNotifier,
  log: Logger,
): Promise<Ppa> {
  let subscription: ImsSubscription | undefined;
  const userData = req.userData?.toString('utf8');
  if (userData !== undefined) {
    try {
      subscription = parseUserData(userData);
    } catch (err) {
      log.warn({ impi: req.userName, err: (err as Error).message }, 'PPR User-Data not readable');
      return experimentalResult(ExperimentalResultCode.DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA) as Ppa;
    }
  }
  const charging = chargingAddresses(req.chargingInformation);
  // The registrations concerned: those of the identities in the new profile, else of the IMPI.
  const keys = new Set<string>();
  if (subscription !== undefined) {
    for (const sp of subscription.serviceProfiles)
      for (const p of sp.publicIdentities) {
        const record = await registrations.get(canonicalImpu(p.identity));
        if (record !== undefined) keys.add(record.impus[0]!);
      }
  } else {
    for await (const record of registrations.list())
      if (record.impi === req.userName) keys.add(record.impus[0]!);
  }
  if (keys.size === 0) {
    log.info({ impi: req.userName }, 'PPR for a user not served here');
    return experimentalResult(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN) as Ppa;
  }
  for (const key of keys) {
    let before: Registration | undefined;
    const after = await registrations.update(key, (current) => {
      before = current;
      if (current === undefined) return undefined;
      const next: Registration = { ...current, revision: current.revision + 1 };
      if (userData !== undefined) {
        next.userData = userData;
        try {
          const profile = servedProfile(userData, current.impus[0]!);
          next.impus = profile.impus;
          next.barred = profile.barred;
        } catch {
          // The profile no longer names this set's first identity: keep the set as it is.
        }
      }
      if (charging !== undefined) next.charging = charging;
      return next;
    });
    if (after === undefined || before === undefined) continue;
    log.info({ impu: key, impi: req.userName, impus: after.impus }, 'PPR: profile updated');
    const old = reportedIdentities(before);
    const added = reportedIdentities(after).filter((i) => !old.includes(i));
    // TS 24.229 §5.4.2.1.2: identities that joined the set are reported as registered.
    if (added.length > 0 && after.state === 'registered')
      notifier.changed({
        identities: old,
        after,
        changes: after.bindings.map((binding) => ({ binding, state: 'active', event: 'created' })),
      });
  }
  return { resultCode: ResultCode.DIAMETER_SUCCESS };
}
