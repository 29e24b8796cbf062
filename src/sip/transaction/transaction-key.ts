import { BRANCH_MAGIC_COOKIE, type SipRequest } from '../message/index.ts';

const SEP = '\u0001';

/** RFC 3261 §8.1.1.7: a branch built by an RFC 3261 element, unique per transaction. */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch?.startsWith(BRANCH_MAGIC_COOKIE) === true;
}

/**
 * RFC 3261 §17.1.3: a response matches a client transaction when its top Via branch equals
 * the request's and its CSeq method equals the method of the request (a CANCEL shares the
 * branch of the INVITE it cancels but is a transaction of its own).
 */
export function clientTransactionKey(branch: string, cseqMethod: string): string {
  return branch + SEP + cseqMethod;
}

/**
 * The key matching a request to a server transaction, RFC 3261 §17.2.3. `method` is the method
 * of the request that would have created the transaction: INVITE for an ACK (given by default),
 * and INVITE when looking up what a CANCEL cancels (§9.2).
 *
 * RFC 3261 branches: branch + sent-by + method. Without the magic cookie (RFC 2543 peers):
 * Request-URI, From tag, Call-ID, CSeq number, method and top Via; the To tag is compared by
 * the caller, against the request's for most requests and against the response's for an ACK.
 */
export function serverTransactionKey(request: SipRequest, method = request.method): string {
  const via = request.topVia;
  const m = method === 'ACK' ? 'INVITE' : method;
  const branch = via.branch;
  if (isRfc3261Branch(branch)) {
    // RFC 3261 §17.2.3: the branch parameter [...] is equal to the one in the top Via header
    // field of the request that created the transaction, the sent-by value in the top Via of
    // the request is equal to the one in the request that created the transaction, and the
    // method of the request matches the one that created the transaction, except for ACK.
    return `3261${SEP}${branch}${SEP}${via.sentBy.toLowerCase()}${SEP}${m}`;
  }
  // RFC 3261 §17.2.3: the INVITE request matches a transaction if the Request-URI, To tag,
  // From tag, Call-ID, CSeq, and top Via header field match those of the INVITE request which
  // created the transaction (the ACK: CSeq number, and the To tag of the response sent).
  // DEVIATION: the Request-URI and the top Via are compared as text, not by §19.1.4 and
  // §20.42 equality: retransmissions repeat the same bytes, and the key stays a string.
  return [
    '2543',
    request.uriText,
    request.from.tag ?? '',
    request.callId,
    request.cseq.seq,
    m,
    via.toString(),
  ].join(SEP);
}
