import {
  boundaryFromContentType,
  type MediaType,
  parseMultipart,
  type SipMessage,
} from '../message/index.ts';

/**
 * A session description as the dialog layer carries it: opaque bytes with their Content-Type.
 * SDP (RFC 4566) alone, or a multipart body holding one (SIP-I, RFC 3204: SDP plus ISUP),
 * is passed through unchanged; the offer/answer state only notes who sent what.
 */
export interface SessionBody {
  body: Buffer;
  contentType: string;
}

function isSdp(type: MediaType | undefined): boolean {
  return type?.essence === 'application/sdp';
}

/**
 * The session description a message carries, if any (RFC 3261 §13.2.1: offers and answers
 * are SDP bodies; RFC 5621 allows them inside multipart/mixed).
 */
export function sessionBodyOf(message: SipMessage): SessionBody | undefined {
  if (message.body.length === 0) return undefined;
  let type: MediaType | undefined;
  try {
    type = message.contentType;
  } catch {
    return undefined;
  }
  if (type === undefined) return undefined;
  const contentType = message.headers.get('Content-Type') ?? type.toString();
  if (isSdp(type)) return { body: message.body, contentType };
  if (type.type.toLowerCase() !== 'multipart') return undefined;
  const boundary = boundaryFromContentType(contentType);
  if (boundary === undefined) return undefined;
  try {
    const parts = parseMultipart(message.body, boundary);
    return parts.some((p) => p.headers.get('content-type')?.toLowerCase().startsWith('application/sdp'))
      ? { body: message.body, contentType }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Puts a session body on a message (Content-Type and bytes), or removes the one it has. */
export function setSessionBody(message: SipMessage, body: SessionBody | undefined): void {
  if (body === undefined) {
    message.headers.delete('Content-Type');
    message.body = Buffer.alloc(0);
  } else {
    message.headers.set('Content-Type', body.contentType);
    message.body = body.body;
  }
  message.headers.set('Content-Length', String(message.body.length));
}
