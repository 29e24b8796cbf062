/**
 * The one error type the SIP message layer throws. `reason` is short and printable so a
 * transport can answer a malformed request with `400 <reason>` (RFC 3261 §21.4.1); a
 * malformed response is dropped (§18.1.2).
 */
export class SipParseError extends Error {
  readonly code = 'ERR_SIP_PARSE';
  constructor(
    /** Names the problem, e.g. "Bad Via header" or "Content-Length larger than body". */
    readonly reason: string,
    /** Header name (canonical form) the problem was found in, when there is one. */
    readonly header?: string,
  ) {
    super(reason);
    this.name = 'SipParseError';
  }
}
