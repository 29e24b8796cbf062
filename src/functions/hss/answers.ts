/**
 * The outcomes the HSS answers with, named as in the specs: Result-Code values of RFC 6733
 * §7.1 and Experimental-Result values of TS 29.229 §6.2 (Cx) and TS 29.329 §6.2 (Sh), the
 * latter always with Vendor-Id 10415 in Experimental-Result (RFC 6733 §7.6).
 */
import { experimentalResult } from '../../diameter/apps/result.ts';
import { ExperimentalResultCode, ResultCode } from '../../diameter/result-code.ts';

export { ExperimentalResultCode, ResultCode };

/** Result-Code DIAMETER_SUCCESS. */
export function success(): { resultCode: number } {
  return { resultCode: ResultCode.DIAMETER_SUCCESS };
}

/** A Result-Code of RFC 6733 (e.g. DIAMETER_AUTHORIZATION_REJECTED, DIAMETER_UNABLE_TO_COMPLY). */
export function result(resultCode: number): { resultCode: number } {
  return { resultCode };
}

/** An Experimental-Result of TS 29.229 §6.2 / TS 29.329 §6.2 (vendor 10415). */
export function experimental(code: number): ReturnType<typeof experimentalResult> {
  return experimentalResult(code);
}
