import type { AvpValues } from '../codec/message.ts';
import { isSuccess } from '../result-code.ts';

/** The outcome an answer carries: Result-Code or Experimental-Result (RFC 6733 §7.1, §7.6). */
export interface AnswerResult {
  /** The code, from Result-Code or Experimental-Result-Code. */
  code: number;
  /** Set when the code came in Experimental-Result (then it is the vendor's, e.g. 10415). */
  vendorId?: number;
  success: boolean;
}

/** Reads an answer's result; a missing one (an ABNF violation) reads as 5012 UNABLE_TO_COMPLY. */
export function answerResult(avps: AvpValues): AnswerResult {
  if (typeof avps.resultCode === 'number')
    return { code: avps.resultCode, success: isSuccess(avps.resultCode) };
  const er = avps.experimentalResult as AvpValues | undefined;
  if (er && typeof er.experimentalResultCode === 'number') {
    const vendorId = er.vendorId as number;
    return { code: er.experimentalResultCode, vendorId, success: isSuccess(er.experimentalResultCode) };
  }
  return { code: 5012, success: false };
}

/** The Experimental-Result AVP of a 3GPP answer (vendor 10415). */
export function experimentalResult(code: number, vendorId = 10415) {
  return { experimentalResult: { vendorId, experimentalResultCode: code } };
}
