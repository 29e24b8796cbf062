import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { StreamFramer } from '../message/index.ts';
import { type Connection, type ConnectionEvents, normalizeIp } from './connection.ts';
import { type HostPort, TransportError, type TransportProtocol } from './types.ts';

const CRLF = Buffer.from('\r\n');

/**
 * A TCP or TLS connection carrying SIP: the byte stream is cut into messages by a
 * StreamFramer (RFC 3261 §18.3), CRLFCRLF pings are answered with a CRLF pong
 * (RFC 5626 §4.4.1), and the connection is closed as soon as the framing is lost.
 */
export class SocketConnection implements Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly authenticated: boolean;
  lastActivity = Date.now();
  private readonly framer: StreamFramer;
  private readonly log: Logger;
  private isClosed = false;
  /** The framing was lost: later bytes are ignored while the socket is being closed. */
  private failed = false;

  constructor(
    readonly id: string,
    readonly protocol: Extract<TransportProtocol, 'tcp' | 'tls'>,
    private readonly socket: Socket | TLSSocket,
    readonly outbound: boolean,
    private readonly events: ConnectionEvents,
    maxMessageSize: number,
    logger: Logger,
  ) {
    this.local = { host: normalizeIp(socket.localAddress), port: socket.localPort ?? 0 };
    this.remote = { host: normalizeIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
    this.authenticated = 'authorized' in socket && socket.authorized === true;
    this.framer = new StreamFramer(maxMessageSize);
    this.log = logger.child({ connection: id });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
    // The peer closed its side: SIP has nothing to say on a half-open stream.
    socket.on('end', () => socket.destroy());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: Buffer): Promise<void> {
    if (this.isClosed || this.socket.destroyed) {
      return Promise.reject(new TransportError('FLOW_GONE', `connection ${this.id} is closed`));
    }
    this.lastActivity = Date.now();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err) reject(new TransportError('SEND_FAILED', `write on ${this.id}: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.failed) return;
    this.lastActivity = Date.now();
    for (const e of this.framer.push(chunk)) {
      if (this.isClosed) return;
      if (e.type === 'error') {
        // RFC 3261 §18.3: without a usable Content-Length the next message cannot be found;
        // the answer to the request (400, or 513 over the size limit, §21.5.14) is written
        // by the handler before the close, and flushed by end().
        this.failed = true;
        this.events.framingError(this, e.error, e.head);
        setImmediate(() => this.closeAfterFlush());
        return;
      }
      if (e.type === 'message') {
        this.events.message(this, e.data);
      } else if (e.type === 'ping') {
        // RFC 5626 §4.4.1: a CRLFCRLF ping is answered with a CRLF pong.
        if (!this.socket.destroyed) this.socket.write(CRLF);
        this.events.keepAlive(this);
      }
      // A pong answers a ping of ours: the activity time is already updated.
    }
  }

  private closeAfterFlush(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    // A peer that does not read must not keep the socket: give the flush a bounded time.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.events.closed(this);
  }
}
