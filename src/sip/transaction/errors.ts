/** Stable codes of the errors the transaction layer throws (never sent on the wire). */
export type TransactionErrorCode =
  /** A state transition the RFC 3261 §17 / RFC 6026 figures do not have. */
  | 'ERR_SIP_TRANSACTION_STATE'
  /** A client transaction with this branch and method is already in the table. */
  | 'ERR_SIP_TRANSACTION_EXISTS'
  /** The request's top Via has no branch beginning with the magic cookie (RFC 3261 §8.1.1.7). */
  | 'ERR_SIP_TRANSACTION_BRANCH'
  /** A method the transaction cannot carry (e.g. ACK, which never has a client transaction). */
  | 'ERR_SIP_TRANSACTION_METHOD'
  /** A response status outside 100-699. */
  | 'ERR_SIP_TRANSACTION_STATUS'
  /** T1, T2, T4 not positive finite numbers, or T2 below T1. */
  | 'ERR_SIP_TRANSACTION_OPTIONS';

/** A misuse of the transaction layer by its caller: a programming error, not a network event. */
export class TransactionError extends Error {
  constructor(
    readonly code: TransactionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransactionError';
  }
}
