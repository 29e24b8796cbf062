import { Headers, SipRequest } from '../message/index.ts';

/**
 * The CANCEL for a pending request, RFC 3261 §9.1: same Request-URI, Call-ID, To, From and
 * CSeq number as the request, method CANCEL; a single Via equal to the request's top Via (so
 * it matches the same transaction downstream); the request's Route header fields.
 */
export function createCancel(request: SipRequest): SipRequest {
  const headers = new Headers();
  const topVia = request.headers.values('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  headers.append('Max-Forwards', '70');
  for (const route of request.headers.values('Route')) headers.append('Route', route);
  for (const name of ['From', 'To', 'Call-ID']) {
    const value = request.headers.get(name);
    if (value !== undefined) headers.append(name, value);
  }
  headers.append('CSeq', `${request.cseq.seq} CANCEL`);
  headers.append('Content-Length', '0');
  return new SipRequest('CANCEL', request.uriText, headers);
}
