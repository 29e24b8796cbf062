import type { DiameterMessage } from '../codec/message.ts';
import { type DiameterError, DiameterPeerError, NoCommonApplicationError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { advertisedApplicationIds, commonApplications, type LocalIdentity } from './capabilities.ts';

/** What a capabilities exchange agreed on, or why it failed. */
export type ExchangeOutcome =
  | { ok: true; applications: number[]; realm: string }
  | { ok: false; error: DiameterError };

function localIds(local: LocalIdentity): number[] {
  return local.applications.map((a) => a.id);
}

/**
 * RFC 6733 §5.6 Process-CER: the applications in common with the sender (§5.3: none means
 * 5010 DIAMETER_NO_COMMON_APPLICATION) and the realm it announced.
 */
export function processCer(local: LocalIdentity, host: string, cer: DiameterMessage): ExchangeOutcome {
  const common = commonApplications(localIds(local), advertisedApplicationIds(cer.avps));
  if (common.length === 0) {
    return { ok: false, error: new NoCommonApplicationError(`CER from ${host}: no application in common`) };
  }
  return { ok: true, applications: common, realm: cer.avps.originRealm as string };
}

/**
 * RFC 6733 §5.6 Process-CEA: success only with Result-Code 2001, an application in common and the
 * Origin-Host of the peer we dialled (§5.3.2); 5010, or 2001 with nothing in common, is a
 * NoCommonApplicationError, any other refusal a DiameterPeerError carrying its Result-Code.
 */
export function processCea(local: LocalIdentity, host: string, cea: DiameterMessage): ExchangeOutcome {
  const resultCode = cea.avps.resultCode as number;
  const common = commonApplications(localIds(local), advertisedApplicationIds(cea.avps));
  if (resultCode === ResultCode.DIAMETER_SUCCESS && common.length > 0 && cea.avps.originHost === host) {
    return { ok: true, applications: common, realm: cea.avps.originRealm as string };
  }
  const noCommon =
    resultCode === ResultCode.DIAMETER_NO_COMMON_APPLICATION ||
    (resultCode === ResultCode.DIAMETER_SUCCESS && common.length === 0);
  return {
    ok: false,
    error: noCommon
      ? new NoCommonApplicationError(`CEA from ${host}: no application in common`)
      : new DiameterPeerError(
          `CEA from ${String(cea.avps.originHost)}: Result-Code ${resultCode}`,
          resultCode,
        ),
  };
}
