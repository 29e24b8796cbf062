import { parseMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';

export interface RequestInit {
  branch?: string;
  /** Via transport token, UDP by default. */
  transport?: string;
  sentBy?: string;
  cseq?: number;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  uri?: string;
  routes?: string[];
  /** Extra Via values below the top one. */
  lowerVias?: string[];
  extra?: string[];
}

let counter = 0;

/** A request as it would arrive from the wire (parsed from text). */
export function makeRequest(method: string, init: RequestInit = {}): SipRequest {
  const n = ++counter;
  const branch = init.branch === undefined ? `z9hG4bKtest${n}` : init.branch;
  const uri = init.uri ?? 'sip:bob@ims.test';
  const lines = [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/${init.transport ?? 'UDP'} ${init.sentBy ?? '198.51.100.7:5060'}${branch ? `;branch=${branch}` : ''}`,
    ...(init.lowerVias ?? []).map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    ...(init.routes ?? []).map((r) => `Route: ${r}`),
    `From: <sip:alice@ims.test>;tag=${init.fromTag ?? 'a1'}`,
    `To: <sip:bob@ims.test>${init.toTag ? `;tag=${init.toTag}` : ''}`,
    `Call-ID: ${init.callId ?? `call-${n}@ims.test`}`,
    `CSeq: ${init.cseq ?? 1} ${method}`,
    'Contact: <sip:alice@198.51.100.7:5060>',
    ...(init.extra ?? []),
    'Content-Length: 0',
  ];
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)) as SipRequest;
}

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  302: 'Moved Temporarily',
  404: 'Not Found',
  408: 'Request Timeout',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  603: 'Decline',
};

/** A response to `request` (RFC 3261 §8.2.6), with a To tag on all but 100; re-parsed from text. */
export function makeResponse(request: SipRequest, status: number, toTag = 'b1'): SipResponse {
  const lines = [`SIP/2.0 ${status} ${REASONS[status] ?? 'Other'}`];
  for (const field of request.headers) {
    if (['Via', 'From', 'Call-ID', 'CSeq'].includes(field.key)) lines.push(`${field.name}: ${field.value}`);
    if (field.key === 'To') {
      const tagged = status > 100 && !/;tag=/.test(field.value);
      lines.push(`To: ${field.value}${tagged ? `;tag=${toTag}` : ''}`);
    }
  }
  lines.push('Content-Length: 0');
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)) as SipResponse;
}

/** The same message again, as a retransmission arrives: fresh objects from the same bytes. */
export function again<T extends SipRequest | SipResponse>(message: T): T {
  return parseMessage(message.toBuffer()) as T;
}
