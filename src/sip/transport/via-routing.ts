import type { SipRequest, Via } from '../message/index.ts';
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
