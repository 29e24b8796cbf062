/** Stable codes of {@link DigestError}. */
export type DigestErrorCode =
  /** A parameter the scheme requires is absent (e.g. nonce in a challenge, response in credentials). */
  | 'MISSING_PARAMETER'
  /** A parameter has a value outside its syntax (nc not 8 hex digits, auts not base64 of 14 octets...). */
  | 'BAD_PARAMETER'
  /** An algorithm this library does not compute. */
  | 'UNSUPPORTED_ALGORITHM'
  /** A challenge the client cannot answer (e.g. an AKA nonce shorter than RAND ‖ AUTN). */
  | 'BAD_CHALLENGE';

/** The one error type of the digest library for bad input. Failed authentication is a result, not an error. */
export class DigestError extends Error {
  constructor(
    readonly code: DigestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DigestError';
  }
}
