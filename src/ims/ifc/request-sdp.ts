/**
 * The SDP lines of a request body, for the SessionDescription SPT (TS 29.228 Annex B.2.2):
 * an `application/sdp` body, or the `application/sdp` parts of a multipart body (RFC 5621).
 * Lines are only split into type and value, never validated: an SPT tests what was sent.
 */
import type { SipRequest } from '../../sip/message/index.ts';
import { boundaryFromContentType, MediaType, parseMultipart } from '../../sip/message/index.ts';

/** One `<type>=<value>` line of an SDP body (RFC 4566 §5). */
export interface SdpLine {
  type: string;
  value: string;
}

/** Nested multiparts deeper than this are not searched (a loop guard, not a spec limit). */
const MAX_DEPTH = 4;

/** The SDP lines of the request's body; empty when it carries no SDP (or an unreadable body). */
export function requestSdpLines(request: SipRequest): SdpLine[] {
  if (request.body.length === 0) return [];
  let contentType: MediaType | undefined;
  try {
    contentType = request.contentType;
  } catch {
    return []; // a Content-Type that does not parse: no body type we can trust
  }
  if (contentType === undefined) return [];
  const out: SdpLine[] = [];
  collect(contentType, request.body, 0, out);
  return out;
}

function collect(type: MediaType, content: Buffer, depth: number, out: SdpLine[]): void {
  const essence = type.essence;
  if (essence === 'application/sdp') {
    splitLines(content.toString('utf8'), out);
    return;
  }
  if (!essence.startsWith('multipart/') || depth >= MAX_DEPTH) return;
  let boundary: string | undefined;
  let parts: ReturnType<typeof parseMultipart>;
  try {
    boundary = boundaryFromContentType(type.toString());
    if (boundary === undefined) return;
    parts = parseMultipart(content, boundary);
  } catch {
    return;
  }
  for (const part of parts) {
    // RFC 2045 §5.2: a part without Content-Type is text/plain, so never SDP.
    const partType = part.headers.get('content-type');
    if (partType === undefined) continue;
    let parsed: MediaType;
    try {
      parsed = MediaType.parse(partType);
    } catch {
      continue;
    }
    collect(parsed, part.content, depth + 1, out);
  }
}

function splitLines(text: string, out: SdpLine[]): void {
  // RFC 4566 §5: lines end with CRLF, but a lone LF is accepted.
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.push({ type: line.slice(0, eq), value: line.slice(eq + 1) });
  }
}
