import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { encodeMessage } from '../codec/message-encoder.ts';
import { CommandFlag, type RawAvp } from '../codec/raw-avp.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { isProtocolError } from '../result-code.ts';
import type { RoutingAvps } from './raw-message.ts';

export interface AnswerIdentity {
  dictionary: Dictionary;
  originHost: string;
  originRealm: string;
}

/** RFC 6733 §6.2: an answer keeps the command code, application, P bit and both identifiers. */
function answerHeader(request: DiameterHeader, resultCode: number | undefined) {
  return {
    flags:
      (request.flags & CommandFlag.Proxiable) |
      (resultCode !== undefined && isProtocolError(resultCode) ? CommandFlag.Error : 0),
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    hopByHopId: request.hopByHopId,
    endToEndId: request.endToEndId,
  };
}

/**
 * The answer to a request a local handler processed: Session-Id echoed first (§8.8), the
 * node's Origin-Host/Realm, the handler's AVPs, and the request's Proxy-Info copied "in the same
 * order" (§6.2). Throws DiameterEncodeError if the handler's AVPs break the answer ABNF.
 */
export function encodeAnswer(id: AnswerIdentity, request: DiameterMessage, body: AvpValues): Buffer {
  const avps: AvpValues = {};
  if (request.avps.sessionId !== undefined) avps.sessionId = request.avps.sessionId;
  avps.originHost = id.originHost;
  avps.originRealm = id.originRealm;
  Object.assign(avps, body);
  if (request.avps.proxyInfo !== undefined && body.proxyInfo === undefined)
    avps.proxyInfo = request.avps.proxyInfo;
  const resultCode = typeof body.resultCode === 'number' ? body.resultCode : undefined;
  return encodeMessage({ header: answerHeader(request.header, resultCode), avps }, id.dictionary);
}

export interface ErrorAnswerOptions {
  failedAvp?: RawAvp[];
  errorMessage?: string;
  /** Set by an agent answering for another node (§7.4 Error-Reporting-Host). */
  errorReportingHost?: string;
  /** For 3006 DIAMETER_REDIRECT_INDICATION (§6.13-6.14). */
  redirectHost?: string[];
  redirectHostUsage?: number;
  redirectMaxCacheTime?: number;
}

/**
 * An answer built from the raw routing AVPs of a request, for requests that were not (or could
 * not be) decoded: protocol errors (E bit, §7.2 answer-message), permanent failures found while
 * decoding (5xxx, Failed-AVP per §7.5), redirects. The application ids and
 * Auth-Session-State are echoed so a 5xxx answer still looks like its command.
 */
export function encodeErrorAnswer(
  id: AnswerIdentity,
  request: DiameterHeader,
  routing: RoutingAvps | undefined,
  resultCode: number,
  options: ErrorAnswerOptions = {},
): Buffer {
  const avps: AvpValues = {};
  if (routing?.sessionId !== undefined) avps.sessionId = routing.sessionId;
  avps.originHost = id.originHost;
  avps.originRealm = id.originRealm;
  avps.resultCode = resultCode;
  if (options.errorMessage) avps.errorMessage = options.errorMessage;
  if (options.errorReportingHost) avps.errorReportingHost = options.errorReportingHost;
  if (options.failedAvp?.length) avps.failedAvp = { rawAvps: options.failedAvp };
  if (options.redirectHost?.length) {
    avps.redirectHost = options.redirectHost;
    if (options.redirectHostUsage !== undefined) avps.redirectHostUsage = options.redirectHostUsage;
    if (options.redirectMaxCacheTime !== undefined) avps.redirectMaxCacheTime = options.redirectMaxCacheTime;
  }
  const raw = [...(isProtocolError(resultCode) ? [] : (routing?.echo ?? [])), ...(routing?.proxyInfo ?? [])];
  if (raw.length > 0) avps.rawAvps = raw;
  return encodeMessage({ header: answerHeader(request, resultCode), avps }, id.dictionary, { abnf: false });
}
