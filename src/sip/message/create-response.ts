import { Headers } from './headers.ts';
import { paramValue } from './params.ts';
import { randomText } from './random-text.ts';
import type { SipRequest } from './sip-request.ts';
import { SipResponse } from './sip-response.ts';

/** Reason phrases of RFC 3261 §21 and the extensions an IMS core answers with. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  430: 'Flow Failed',
  433: 'Anonymity Disallowed',
  439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
};

/** A To tag: RFC 3261 §19.3, at least 32 random bits. */
export function newTag(): string {
  return randomText(6, 'hex');
}

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (default: a new tag, except for 100). */
  toTag?: string;
  /** Extra header fields, appended in order. */
  headers?: Iterable<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

/**
 * A response to a request, RFC 3261 §8.2.6: Via (all, in order), From, To, Call-ID and CSeq
 * copied; a To tag added to every response but 100 when the request had none (§8.2.6.2);
 * Timestamp copied into 100 (§8.2.6.1).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const headers = new Headers();
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    for (const field of request.headers.fieldsOf(name)) headers.append(field.name, field.value);
  }
  if (status === 100) {
    for (const field of request.headers.fieldsOf('Timestamp')) headers.append(field.name, field.value);
  } else if (request.headers.has('To') && paramValue(request.to.params, 'tag') === undefined) {
    const to = request.headers.get('To')!;
    headers.set('To', `${to};tag=${options.toTag ?? newTag()}`);
  }
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  if (options.body && options.contentType) headers.append('Content-Type', options.contentType);
  headers.append('Content-Length', String(options.body?.length ?? 0));
  return new SipResponse(
    status,
    options.reason ?? REASON_PHRASES[status] ?? 'Unknown',
    headers,
    options.body,
  );
}
