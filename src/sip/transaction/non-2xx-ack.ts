import { Headers, SipRequest, type SipResponse } from '../message/index.ts';

/**
 * Builds the ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 §17.1.1.3).
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new Headers();
  // RFC 3261 §17.1.1.3: the ACK MUST contain a single Via header field, and this MUST be equal
  // to the top Via header field of the original request.
  const topVia = invite.headers.values('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  // RFC 3261 §8.1.1.6 asks every request for Max-Forwards; 70 as a UAC would.
  headers.append('Max-Forwards', '70');
  // RFC 3261 §17.1.1.3: If the INVITE request whose response is being acknowledged had Route
  // header fields, those header fields MUST appear in the ACK.
  for (const route of invite.headers.values('Route')) headers.append('Route', route);
  // RFC 3261 §17.1.1.3: Call-ID, From and Request-URI MUST equal those of the original request,
  headers.append('From', invite.headers.get('From') ?? '');
  // the To header field MUST equal the To header field in the response being acknowledged,
  headers.append('To', response.headers.get('To') ?? '');
  headers.append('Call-ID', invite.callId);
  // and the CSeq header field's number equals the request's, its method being ACK.
  headers.append('CSeq', `${invite.cseq.seq} ACK`);
  headers.append('Content-Length', '0');
  return new SipRequest('ACK', invite.uriText, headers);
}
