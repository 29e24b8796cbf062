/**
 * RTR/RTA at the S-CSCF: network-initiated de-registration by the HSS (TS 29.228 §6.1.3,
 * TS 24.229 §5.4.1.5). The listed public identities, or every registration of the private
 * identities when none is listed, are de-registered: NOTIFY to the watchers (contacts
 * "rejected" for a permanent termination, "deactivated" when the UE should register again),
 * clean-up, no SAR (the HSS already knows), RTA DIAMETER_SUCCESS.
 */
import {
  type CxAnswer,
  ReasonCode,
  type RegistrationTerminationAnswer,
  type RegistrationTerminationRequest,
} from '../../diameter/apps/cx.ts';
import { ResultCode } from '../../diameter/result-code.ts';
import type { ContactEvent } from '../../ims/reginfo-model.ts';
import type { Logger } from '../../log/logger.ts';
import type { RegistrationStore } from '../../store/registrations/types.ts';
import type { Deregistrar } from './deregistration.ts';
import { canonicalImpu } from './user-profile.ts';

/** TS 24.229 §5.4.1.5: how a Reason-Code (TS 29.229 §6.3.17) shows in reginfo. */
export function rtrEvent(reasonCode: number): ContactEvent {
  return reasonCode === ReasonCode.NEW_SERVER_ASSIGNED || reasonCode === ReasonCode.SERVER_CHANGE
    ? 'deactivated'
    : 'rejected';
}

export async function registrationTermination(
  req: RegistrationTerminationRequest,
  registrations: RegistrationStore,
  deregistrar: Deregistrar,
  log: Logger,
): Promise<CxAnswer<RegistrationTerminationAnswer>> {
  const impis = new Set([req.userName, ...(req.associatedIdentities?.userName ?? [])]);
  const targets: string[] = [];
  if (req.publicIdentity !== undefined && req.publicIdentity.length > 0) {
    for (const p of req.publicIdentity) targets.push(canonicalImpu(p));
  } else {
    // TS 29.228 §6.1.3: without Public-Identity, all identities registered with the IMPI(s).
    for await (const record of registrations.list())
      if (impis.has(record.impi)) targets.push(record.impus[0]!);
  }
  const reasonCode = req.deregistrationReason.reasonCode;
  const event = rtrEvent(reasonCode);
  const done = new Set<string>();
  for (const impu of targets) {
    if (done.has(impu)) continue;
    const record = await deregistrar.end(impu, { event, why: `RTR reason ${reasonCode}` });
    for (const i of record?.impus ?? [impu]) done.add(i);
  }
  log.info(
    { impi: req.userName, impus: targets, reasonCode, reasonInfo: req.deregistrationReason.reasonInfo },
    'RTR: de-registered by the HSS',
  );
  return { resultCode: ResultCode.DIAMETER_SUCCESS };
}
