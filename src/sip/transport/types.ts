import type { SipRequest, SipResponse } from '../message/index.ts';

/**
 * The contract between the SIP transport layer (RFC 3261 §18) and the layers above it
 * (transactions, proxy, user agents). Sockets live behind it; nothing above sees one.
 */

export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** RFC 3261 §17.1.1.2, §17.1.2.2: no retransmission timers over reliable transports. */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

/** The transport token of a Via for a protocol (RFC 3261 §18.2.1, RFC 7118 §5.2). */
export function viaTransport(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

/** An IP address (IPv6 without brackets) and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * What a message travelled over: RFC 5626 §3.3 flow (protocol, local and remote address).
 * For stream transports `connectionId` names the connection, so that responses and requests
 * to a UE behind NAT go back over it (RFC 3261 §18.2.2, RFC 5626 §5.3).
 */
export interface Flow {
  protocol: TransportProtocol;
  local: HostPort;
  remote: HostPort;
  connectionId?: string;
}

/** Where to send: a resolved next hop (RFC 3263 done above), or an existing connection. */
export interface Destination {
  protocol: TransportProtocol;
  host: string;
  port: number;
  /** Use exactly this connection; sending fails with TransportError('FLOW_GONE') if it is closed. */
  connectionId?: string;
  /**
   * UDP: a flow's local end (RFC 5626 §5.3, a UE behind NAT): sent from this address and port,
   * over UDP whatever its size (no §18.1.1 switch to a TCP connection the NAT would not let in).
   */
  local?: HostPort;
  /**
   * TLS/WSS only: the SIP domain the server certificate must match (RFC 5922 §4, §7.2),
   * e.g. the host of the URI that was resolved. Defaults to `host`.
   */
  serverName?: string;
}

export interface IncomingMessage {
  message: SipRequest | SipResponse;
  flow: Flow;
  /** Date.now() when the bytes arrived. */
  receivedAt: number;
}

export type TransportErrorCode =
  /** The connection named by Destination.connectionId is closed. */
  | 'FLOW_GONE'
  /** Could not connect (refused, unreachable, TLS handshake failed, timeout). */
  | 'CONNECT_FAILED'
  /** No transport of that protocol is configured here. */
  | 'NO_TRANSPORT'
  /** Larger than the transport takes (UDP above 65,507 bytes, or the configured maximum). */
  | 'TOO_LARGE'
  /** The socket reported an error while writing. */
  | 'SEND_FAILED';

/** A transport failure, reported to the transaction user (RFC 3261 §17.1.4, §17.2.4). */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The SIP transport layer: every listening socket and connection of one network function. */
export interface TransportLayer {
  /**
   * Sends a request, or a response to an explicit destination. Resolves with the flow used
   * once the bytes are handed to the socket (connecting first if needed); rejects with
   * TransportError. Requests over UDP larger than the MTU threshold switch to TCP
   * (RFC 3261 §18.1.1) when a TCP transport exists.
   */
  send(message: SipRequest | SipResponse, destination: Destination): Promise<Flow>;

  /**
   * Sends a response the way RFC 3261 §18.2.2 and RFC 3581 §4 say: over the connection the
   * request came on while it is open, else to the top Via's received/rport/maddr/sent-by.
   */
  sendResponse(response: SipResponse, requestFlow: Flow): Promise<Flow>;

  /**
   * The sent-by to put in our Via for a protocol: the listening address advertised. With
   * several listeners of a protocol, `destinationHost` (optional) picks one of the address
   * family that reaches it.
   */
  viaSentBy(protocol: TransportProtocol, destinationHost?: string): HostPort;

  /** Registers the receiver of every parsed message (after received/rport were added). */
  onMessage(handler: (incoming: IncomingMessage) => void): void;

  close(): Promise<void>;
}
