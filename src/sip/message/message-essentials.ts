import { detachedString } from '../../util/detached-string.ts';
import { type HeaderField, Headers } from './headers.ts';
import { SipRequest } from './sip-request.ts';
import { SipResponse } from './sip-response.ts';

/**
 * Small stand-ins for messages a transaction must keep for a while after its work is done (up to
 * 64*T1 = 32 s over UDP, RFC 3261 §17): the full parsed message costs kilobytes of short-lived
 * objects that the garbage collector would otherwise copy and promote, request after request.
 */

/** Headers that identify a request and its transaction (RFC 3261 §17.1.3, §17.2.3), plus Route (§17.1.1.3). */
const IDENTITY = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Route']);

/**
 * Copies of the identifying fields: a value taken as it is would be a view into the whole
 * message text and keep it alive as long as the transaction (detachedString). The fields are
 * written back as `name: value` (their received spelling of white space and folds is not kept).
 */
function identityHeaders(headers: Headers): Headers {
  const kept: HeaderField[] = [];
  for (const f of headers)
    if (IDENTITY.has(f.key)) kept.push({ key: f.key, name: f.name, value: detachedString(f.value) });
  return new Headers(kept);
}

const NO_BODY = Buffer.alloc(0);

/**
 * The request with only its method, Request-URI and identifying headers (Via, From, To, Call-ID,
 * CSeq, Route), and no body: what an ACK for a non-2xx response or the matching of a
 * retransmission needs (RFC 3261 §17.1.1.3, §17.2.3).
 */
export function requestEssentials(request: SipRequest): SipRequest {
  return new SipRequest(
    request.method,
    detachedString(request.uriText),
    identityHeaders(request.headers),
    NO_BODY,
    request.headerEncoding,
  );
}

/**
 * A response that was sent, kept as its bytes for retransmission (RFC 3261 §17.2.1, §17.2.2):
 * status, reason and identifying headers stay readable, and `toBuffer()` gives back exactly
 * the bytes of the original. Read-only: changing its headers does not change what it sends.
 */
export class SentResponse extends SipResponse {
  private constructor(
    private readonly bytes: Buffer,
    status: number,
    reason: string,
    headers: Headers,
    encoding: 'utf8' | 'latin1',
  ) {
    super(status, reason, headers, NO_BODY, encoding);
  }

  static of(response: SipResponse): SentResponse {
    if (response instanceof SentResponse) return response;
    return new SentResponse(
      response.toBuffer(),
      response.status,
      response.reason,
      identityHeaders(response.headers),
      response.headerEncoding,
    );
  }

  override toBuffer(): Buffer {
    return this.bytes;
  }
}
