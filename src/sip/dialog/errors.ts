/** Stable codes of the errors the dialog layer throws (programming errors, never sent on the wire). */
export type DialogErrorCode =
  /** An operation the session's current state does not allow (e.g. accept after reject). */
  | 'ERR_SIP_DIALOG_STATE'
  /** A body where the offer/answer rules (RFC 3264, RFC 3261 §13.2.1) allow none, or none where one is needed. */
  | 'ERR_SIP_OFFER_ANSWER'
  /**
   * RFC 3261 §14.1, RFC 3311 §5.1: a re-INVITE or an UPDATE with an offer while another
   * INVITE transaction or offer is in progress: the caller must wait.
   */
  | 'ERR_SIP_REQUEST_PENDING'
  /** Options out of range (e.g. a session interval below 90 s, RFC 4028 §4). */
  | 'ERR_SIP_DIALOG_OPTIONS';

/** A misuse of the dialog layer by its caller. */
export class DialogError extends Error {
  constructor(
    readonly code: DialogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DialogError';
  }
}
