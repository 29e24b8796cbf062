import { isUtf8 } from 'node:buffer';
import type { WebSocket } from 'ws';
import type { Logger } from '../../log/logger.ts';
import type { Connection, ConnectionEvents } from './connection.ts';
import { type HostPort, TransportError, type TransportProtocol } from './types.ts';

const CRLF = Buffer.from('\r\n');

function isCrlfOnly(data: Buffer): boolean {
  if (data.length === 0 || data.length % 2 !== 0) return false;
  for (let i = 0; i < data.length; i += 2) if (data[i] !== 13 || data[i + 1] !== 10) return false;
  return true;
}

/**
 * A WebSocket connection with the `sip` subprotocol (RFC 7118): each WebSocket message,
 * text or binary, carries exactly one SIP message (§5.2), so no stream framing is needed.
 */
export class WsConnection implements Connection {
  lastActivity = Date.now();
  private isClosed = false;
  private readonly log: Logger;

  constructor(
    readonly id: string,
    readonly protocol: Extract<TransportProtocol, 'ws' | 'wss'>,
    private readonly ws: WebSocket,
    readonly local: HostPort,
    readonly remote: HostPort,
    readonly outbound: boolean,
    readonly authenticated: boolean,
    private readonly events: ConnectionEvents,
    logger: Logger,
  ) {
    this.log = logger.child({ connection: id });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.onMessage(toBuffer(data)));
    ws.on('ping', () => {
      this.lastActivity = Date.now();
    });
    ws.on('error', (err) => this.log.debug({ err: err.message }, 'websocket error'));
    ws.on('close', () => this.onClose());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: Buffer): Promise<void> {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) {
      return Promise.reject(new TransportError('FLOW_GONE', `connection ${this.id} is closed`));
    }
    this.lastActivity = Date.now();
    // RFC 7118 §5.1: text frames must hold UTF-8; anything else goes in a binary frame.
    const binary = !isUtf8(data);
    return new Promise((resolve, reject) => {
      this.ws.send(data, { binary }, (err) => {
        if (err) reject(new TransportError('SEND_FAILED', `write on ${this.id}: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    // terminate(): no closing handshake to wait for, the socket goes at once.
    this.ws.terminate();
  }

  private onMessage(data: Buffer): void {
    this.lastActivity = Date.now();
    if (isCrlfOnly(data)) {
      // DEVIATION: RFC 7118 defines no keep-alive of its own, but web clients send the
      // RFC 5626 §4.4.1 CRLFCRLF ping as a WebSocket message and expect a CRLF pong.
      if (data.length >= 4) {
        this.ws.send(CRLF, { binary: false });
        this.events.keepAlive(this);
      }
      return;
    }
    this.events.message(this, data);
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.events.closed(this);
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
