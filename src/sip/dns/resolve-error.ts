export type ResolveErrorCode =
  /** Not a SIP or SIPS URI. */
  | 'UNSUPPORTED_URI'
  /** The URI's transport parameter names a transport we do not have, or sips with udp. */
  | 'UNSUPPORTED_TRANSPORT'
  /** No target at all: every query came back empty or failed (RFC 3263 §4.3). */
  | 'NOT_FOUND';

/** Next-hop resolution failed (RFC 3263); the transaction user answers 503 or 408 above. */
export class ResolveError extends Error {
  constructor(
    readonly code: ResolveErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ResolveError';
  }
}
