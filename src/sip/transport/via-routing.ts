import { randomBytes } from 'node:crypto';
import {
  CALL_ID,
  CSEQ,
  FROM,
  Headers,
  NameAddr,
  type SipParseError,
  type SipRequest,
  SipResponse,
  TO,
  VIA,
  type Via,
} from '../message/index.ts';
import { bracketHost, defaultPort, normalizeIp } from './connection.ts';
import { type Destination, type HostPort, type TransportLayer, viaTransport } from './types.ts';

/** The sent-by host of a Via without IPv6 brackets, lowercased. */
export function sentByHost(via: Via): string {
  return normalizeIp(via.host);
}

/** The sent-by port of a Via, or the default port of its transport (RFC 3261 §18.2.2). */
export function sentByPort(via: Via): number {
  return via.port ?? defaultPort(via.transport);
}

/**
 * RFC 3261 §18.2.1: `received` when the sent-by host differs from the source address;
 * RFC 3581 §4: `rport` without a value is filled with the source port, and then `received`
 * is added even when it equals sent-by. The top Via is rewritten through the header API,
 * so serialization shows it (also used on the copy of a Via in a stateless answer).
 * Throws SipParseError when there is no top Via.
 */
export function stampReceived(request: Pick<SipRequest, 'topVia' | 'headers'>, source: HostPort): void {
  const via = request.topVia;
  const wantsRport = via.rport === null;
  let changed = false;
  if (wantsRport || sentByHost(via) !== source.host) {
    via.params.set('received', source.host);
    changed = true;
  }
  if (wantsRport) via.params.set('rport', String(source.port));
  if (changed) {
    request.headers.shift('Via');
    request.headers.prepend('Via', via.toString());
  }
}

/**
 * Where a response goes when the request's connection is gone or the transport is
 * unreliable (RFC 3261 §18.2.2, RFC 3581 §4). `host` may be a name (maddr, or a sent-by
 * without received) that the caller resolves.
 */
export function responseTarget(via: Via, reliable: boolean): HostPort {
  const received = via.received;
  if (reliable) {
    // §18.2.2: the received address with the sent-by port (rport is the peer's ephemeral port).
    return { host: received ? normalizeIp(received) : sentByHost(via), port: sentByPort(via) };
  }
  const maddr = via.maddr;
  // §18.2.2: maddr first (multicast TTL is not supported: we never send to a group).
  if (maddr) return { host: normalizeIp(maddr), port: sentByPort(via) };
  const rport = via.rport;
  // RFC 3581 §4: received and rport together name the NAT binding the request came through.
  if (received)
    return { host: normalizeIp(received), port: typeof rport === 'number' ? rport : sentByPort(via) };
  return { host: sentByHost(via), port: typeof rport === 'number' ? rport : sentByPort(via) };
}

/**
 * RFC 3261 §8.2.2, §21.4.1: the stateless answer to a request that failed to parse, built
 * from its Via, From, To, Call-ID and CSeq when those are usable (a To tag is added,
 * §8.2.6.2). Undefined when the request cannot be answered: it is then dropped.
 */
export function parseErrorResponse(err: SipParseError): SipResponse | undefined {
  const h = err.headers;
  if (!h || err.kind !== 'request') return undefined;
  try {
    const vias = h.parsed(VIA);
    const from = h.first(FROM);
    const to = h.first(TO);
    const callId = h.first(CALL_ID);
    const cseq = h.first(CSEQ);
    if (vias.length === 0 || !from || !to || callId === undefined || !cseq) return undefined;
    const out = new Headers();
    for (const v of h.values('Via')) out.append('Via', v);
    out.append('From', h.get('From')!);
    const answerTo = new NameAddr(to.uriText, to.displayName, new Map(to.params), 'To');
    if (answerTo.tag === undefined) answerTo.tag = randomBytes(6).toString('hex');
    out.append('To', answerTo.toString());
    out.append('Call-ID', callId);
    out.append('CSeq', h.get('CSeq')!);
    const reason = err.reason.replace(/[\r\n]+/g, ' ');
    return new SipResponse(err.status, reason, out);
  } catch {
    return undefined;
  }
}

/**
 * The Via value this element puts on a request it sends to `destination` (RFC 3261 §8.1.1.7,
 * §16.6 step 8): the transport token, our advertised sent-by for that protocol and address
 * family, the branch, and `rport` when asked (RFC 3581 §3).
 */
export function localVia(
  transport: Pick<TransportLayer, 'viaSentBy'>,
  destination: Destination,
  branch: string,
  rport = false,
): string {
  const sentBy = transport.viaSentBy(destination.protocol, destination.host);
  const via = `SIP/2.0/${viaTransport(destination.protocol)} ${bracketHost(sentBy.host)}:${sentBy.port};branch=${branch}`;
  return rport ? `${via};rport` : via;
}
