import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { MessageFramer } from '../codec/message-framer.ts';
import { DiameterDecodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';

export interface PeerConnectionEvents {
  /** One whole message (exactly its header length). */
  message: [bytes: Buffer];
  /** The transport closed, for whatever reason; emitted once. */
  close: [error: Error | undefined];
}

/**
 * One transport connection to a peer (TCP or TLS; Node has no SCTP): frames the byte stream into
 * messages and reports its closing once. The Peer state machine owns it.
 */
export class PeerConnection extends EventEmitter<PeerConnectionEvents> {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly framer: MessageFramer;
  private closed = false;
  /** Set once the connection is being closed after a message of another version. */
  private ending = false;
  private closeError: Error | undefined;
  /** Writes are held (socket.cork) until the end of this turn of the event loop. */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(
    private readonly socket: Socket,
    maxMessageLength?: number,
  ) {
    super();
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.framer = new MessageFramer(maxMessageLength);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.closeError ??= err;
    });
    socket.on('close', () => this.onClose());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Local address of the socket (for Host-IP-Address when none is configured). */
  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  /**
   * Queues a message. The messages of one turn of the event loop (the answers of a batch of
   * requests) leave together, in one write of the system, at the end of the turn.
   */
  send(bytes: Buffer): boolean {
    if (this.closed || this.socket.destroyed) return false;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(bytes);
    return true;
  }

  /** Ends the connection after pending writes; destroys it if the peer does not finish in time. */
  close(graceMs = 2000): void {
    if (this.closed) return;
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), graceMs);
    t.unref();
    this.socket.once('close', () => clearTimeout(t));
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (err) {
      // RFC 6733 §3: a stream whose lengths cannot be trusted cannot be resynchronised.
      this.closeError = err as Error;
      this.socket.destroy();
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      this.emit('message', m);
    }
    if (this.framer.ended && !this.ending) {
      // RFC 6733 §7.1.5: a message of another version was delivered (and answered 5011 if it was
      // a request); what follows it cannot be trusted. Close once that answer is written.
      this.ending = true;
      this.closeError ??= new DiameterDecodeError(
        'message of an unsupported version',
        ResultCode.DIAMETER_UNSUPPORTED_VERSION,
      );
      this.close();
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', this.closeError);
  }
}
