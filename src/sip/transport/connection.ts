import { isIP } from 'node:net';
import type { SipParseError } from '../message/index.ts';
import type { Flow, HostPort, TransportProtocol } from './types.ts';

/**
 * One stream connection (TCP, TLS, WS, WSS) in the connection table: the RFC 5626 §3.3 flow
 * it carries, and enough to write to it and close it.
 */
export interface Connection {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly local: HostPort;
  readonly remote: HostPort;
  /** We opened it (true) or accepted it (false). */
  readonly outbound: boolean;
  /** TLS/WSS: the peer presented a certificate our CAs verified. */
  readonly authenticated: boolean;
  /** Date.now() of the last bytes in either direction, keep-alives included. */
  lastActivity: number;
  readonly closed: boolean;
  /** Resolves once the bytes are handed to the socket; rejects with TransportError('SEND_FAILED'). */
  write(data: Buffer): Promise<void>;
  /** Closes at once; the table learns it through ConnectionEvents.closed. */
  close(): void;
}

/** What a connection reports to the transport layer. */
export interface ConnectionEvents {
  /** A connection was accepted or opened: the layer puts it in its table. */
  opened(conn: Connection): void;
  /** The bytes of one SIP message (framed by StreamFramer, or one WebSocket message). */
  message(conn: Connection, data: Buffer): void;
  /**
   * The framing was lost (RFC 3261 §18.3) or a message is over the size limit; the
   * connection is closed once what is written now is flushed. `head`: the message's header
   * bytes when complete, to answer a request (400, 513) before the close.
   */
  framingError(conn: Connection, error: SipParseError, head?: Buffer): void;
  /** A CRLFCRLF ping was answered with a CRLF pong (RFC 5626 §4.4.1). */
  keepAlive(conn: Connection): void;
  closed(conn: Connection): void;
}

/** The flow a connection carries, as the layers above see it. */
export function flowOf(conn: Connection): Flow {
  return { protocol: conn.protocol, local: conn.local, remote: conn.remote, connectionId: conn.id };
}

/**
 * An address as the socket API reports it, made comparable: IPv4-mapped IPv6 addresses of a
 * dual-stack socket become plain IPv4, brackets are removed, letters lowercased.
 */
export function normalizeIp(address: string | undefined): string {
  if (!address) return '';
  let a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  a = a.toLowerCase();
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return a;
}

/** A host for a URL or a Via sent-by: IPv6 addresses in brackets (RFC 3261 §25.1, RFC 5118). */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The default port of a transport when a Via sent-by or URI has none (RFC 3261 §18.2.2, §19.1.2). */
export function defaultPort(protocol: string): number {
  const p = protocol.toLowerCase();
  return p === 'tls' || p === 'wss' ? 5061 : 5060;
}
