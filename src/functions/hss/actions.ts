/**
 * What the HSS does on its own initiative, for the REST API and the CLI (api/): administrative
 * de-registration (RTR, cx-rtr.ts) and pushing a changed profile to the S-CSCF (PPR,
 * cx-ppr.ts). Unknown identities reject with StoreError NOT_FOUND; an S-CSCF that does not
 * answer, or refuses, with HssActionError.
 */
import type { AnswerResult } from '../../diameter/apps/result.ts';

/** TS 29.229 §6.3.16 Deregistration-Reason: Reason-Code (§6.3.17) and Reason-Info (§6.3.18). */
export interface DeregistrationReason {
  /** ReasonCode of cx.ts; default PERMANENT_TERMINATION (REMOVE_S-CSCF when nothing is registered). */
  reasonCode?: number;
  /** Text the S-CSCF may pass on to the user (e.g. in a NOTIFY). */
  reasonInfo?: string;
}

export interface ActionOutcome {
  /** False when no S-CSCF serves the identities: nothing was sent (a de-registration then only clears the HSS). */
  sent: boolean;
  /** The S-CSCF the request went to. */
  scscf?: { name: string; host: string };
  /** The public identities concerned. */
  publicIdentities: string[];
  /** What the S-CSCF answered. */
  result?: AnswerResult;
}

export interface HssActions {
  /**
   * Administrative de-registration of `impu` and its implicit registration set (TS 29.228
   * §6.1.3). A string `reason` is the Reason-Info.
   */
  deregister(impu: string, reason?: string | DeregistrationReason): Promise<ActionOutcome>;
  /** Sends the subscription's current profile to the S-CSCF serving it (TS 29.228 §6.2.2). */
  pushProfile(subscriptionId: string): Promise<ActionOutcome>;
}

/**
 * - UNREACHABLE: no answer from the S-CSCF (not connected, timeout);
 * - REFUSED: it answered with an error (`result`).
 */
export type HssActionErrorCode = 'UNREACHABLE' | 'REFUSED';

export class HssActionError extends Error {
  constructor(
    readonly code: HssActionErrorCode,
    message: string,
    readonly result?: AnswerResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HssActionError';
  }
}

/** Reads an answer to an HSS-initiated request: the result, or HssActionError. */
export async function exchange<A extends object>(
  what: string,
  host: string,
  send: () => Promise<A>,
  read: (answer: A) => AnswerResult,
): Promise<AnswerResult> {
  let answer: A;
  try {
    answer = await send();
  } catch (err) {
    throw new HssActionError('UNREACHABLE', `${what} to ${host}: ${(err as Error).message}`, undefined, {
      cause: err,
    });
  }
  const outcome = read(answer);
  if (!outcome.success)
    throw new HssActionError('REFUSED', `${what} to ${host}: answered ${outcome.code}`, outcome);
  return outcome;
}
