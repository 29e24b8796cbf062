import { Headers, type SipRequest, SipResponse } from '../message/index.ts';

/**
 * The 100 (Trying) an INVITE server transaction sends when the TU has not answered within
 * 200 ms (RFC 3261 §17.2.1), built as §8.2.6 says.
 */
export function createTryingResponse(request: SipRequest): SipResponse {
  const headers = new Headers();
  // RFC 3261 §8.2.6.2: the From, Call-ID, CSeq and Via fields of the response MUST equal those
  // of the request, Via in the same order; To too, and a 100 (Trying) need not add a tag.
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    for (const field of request.headers.fieldsOf(name)) headers.append(field.name, field.value);
  }
  // RFC 3261 §8.2.6.1: any Timestamp header field present in the request MUST be copied into
  // this 100 (Trying) response.
  for (const field of request.headers.fieldsOf('Timestamp')) headers.append(field.name, field.value);
  headers.append('Content-Length', '0');
  return new SipResponse(100, 'Trying', headers);
}
