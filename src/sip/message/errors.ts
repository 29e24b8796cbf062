import type { Headers } from './headers.ts';

/**
 * The one error type the SIP message layer throws. `reason` is short and printable so a
 * transport can answer a malformed request with `<status> <reason>` (RFC 3261 §21.4.1, 400
 * unless said otherwise); a malformed response is dropped (§18.1.2).
 */
export class SipParseError extends Error {
  readonly code = 'ERR_SIP_PARSE';
  constructor(
    /** Names the problem, e.g. "Bad Via header" or "Content-Length larger than body". */
    readonly reason: string,
    /** Header name (canonical form) the problem was found in, when there is one. */
    readonly header?: string,
    /** Status for the answer to a request: 400, or 505 for an unsupported SIP version. */
    readonly status = 400,
  ) {
    super(reason);
    this.name = 'SipParseError';
  }

  /** Set by the message parser: whether the bad message was a request or a response. */
  kind?: 'request' | 'response';
  /** Set by the message parser when the header lines could be split: enough to build a 400. */
  headers?: Headers;

  /** The reason as a Reason-Phrase (TEXT-UTF8, RFC 3261 §25.1: no control characters). */
  get phrase(): string {
    return this.reason.replace(/[\x00-\x1f\x7f]+/g, ' ').trim() || 'Bad Request';
  }
}
