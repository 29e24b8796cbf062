/** Stable codes of {@link AkaError}, one per kind of failure a caller may branch on. */
export type AkaErrorCode =
  /** A value given as text is not hexadecimal. */
  | 'BAD_HEX'
  /** A parameter has the wrong number of octets (K, OP, RAND, AUTN, AUTS, ...). */
  | 'BAD_LENGTH'
  /** Inconsistent inputs, e.g. both or neither of OP and OPc. */
  | 'BAD_INPUT'
  /** A sequence number outside 0..2^48-1, or the SEQ space of a subscriber exhausted. */
  | 'SQN_OUT_OF_RANGE'
  /** TS 33.102 §6.3.3: MAC-A of AUTN (USIM) or MAC-S of AUTS (HE) does not verify. */
  | 'MAC_FAILURE';

/** The one error type of the AKA library. */
export class AkaError extends Error {
  constructor(
    readonly code: AkaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AkaError';
  }
}
