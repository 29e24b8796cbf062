import { SipParseError } from './errors.ts';
import { findHeaderEnd } from './parser.ts';

/** What a StreamFramer found in the bytes pushed to it. */
export type FramerEvent =
  /** One complete message, to give to parseMessage(..., { stream: true }). */
  | { type: 'message'; data: Buffer }
  /** RFC 5626 §4.4.1: a CRLFCRLF keep-alive ping; the server answers with a CRLF pong. */
  | { type: 'ping' }
  /** RFC 5626 §4.4.1: a CRLF pong, answering our ping. */
  | { type: 'pong' }
  /**
   * The framing is lost (no or bad Content-Length, a message over the size limit): always the
   * last event; the connection must be closed, there is no way to find the next message.
   * `head`: the message's start line and headers when they were complete, enough to answer a
   * request before closing (400, or 513 for a message over the limit, RFC 3261 §21.5.14).
   */
  | { type: 'error'; error: SipParseError; head?: Buffer };

const CONTENT_LENGTH = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;

/**
 * Cuts a byte stream (TCP, TLS) into SIP messages, RFC 3261 §18.3: the header section ends
 * at the empty line, the body is Content-Length bytes. The messages complete before a
 * framing error still come out, followed by the error event.
 */
export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);
  private failure: SipParseError | undefined;
  /** The last push ended with a lone CRLF, reported as a pong: it may be half a ping. */
  private loneCrlf = false;
  /** The header bytes of the message whose framing just failed, when complete. */
  private failedHead: Buffer | undefined;

  constructor(
    /** Largest message accepted, headers and body (a memory bound per connection). */
    readonly maxMessageSize = 65535,
  ) {}

  /** Bytes buffered while waiting for the rest of a message. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): FramerEvent[] {
    if (this.failure) return [{ type: 'error', error: new SipParseError('Stream framing already lost') }];
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const events: FramerEvent[] = [];
    // A ping split across two reads: the first CRLF was taken for a pong, the second completes it.
    if (this.loneCrlf && buf[0] === 13 && buf[1] === 10 && buf[2] !== 13) {
      events.push({ type: 'ping' });
      buf = buf.subarray(2);
    }
    this.loneCrlf = false;
    for (;;) {
      // Keep-alives and stray CRLFs between messages (RFC 3261 §7.5, RFC 5626 §4.4.1).
      if (buf[0] === 13 && buf[1] === 10) {
        if (buf[2] === 13 && buf[3] === 10) {
          events.push({ type: 'ping' });
          buf = buf.subarray(4);
          continue;
        }
        if (buf.length === 2 || buf[2] !== 13) {
          events.push({ type: 'pong' });
          this.loneCrlf = buf.length === 2;
          buf = buf.subarray(2);
          continue;
        }
        break; // CRLF then CR: wait to see whether it is a ping
      }
      let total: number | undefined;
      try {
        total = this.messageLength(buf);
      } catch (err) {
        this.failure = err as SipParseError;
        this.pending = Buffer.alloc(0);
        const head = this.failedHead;
        this.failedHead = undefined;
        events.push(
          head ? { type: 'error', error: this.failure, head } : { type: 'error', error: this.failure },
        );
        return events;
      }
      if (total === undefined || buf.length < total) break;
      events.push({ type: 'message', data: buf.subarray(0, total) });
      buf = buf.subarray(total);
    }
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    return events;
  }

  /** Total length of the message at the start of buf, or undefined if the headers are incomplete. */
  private messageLength(buf: Buffer): number | undefined {
    const end = findHeaderEnd(buf, 0);
    if (!end) {
      if (buf.length > this.maxMessageSize) this.fail('Message headers too large');
      return undefined;
    }
    const headBytes = buf.subarray(0, end[1]);
    // RFC 3261 §7.3.1: a header value may be folded onto continuation lines.
    const head = buf.toString('latin1', 0, end[0]).replace(/\r?\n[ \t]+/g, ' ');
    let length: number | undefined;
    for (const m of head.matchAll(CONTENT_LENGTH)) {
      const v = m[1]!.trim();
      const n = /^\d{1,10}$/.test(v) ? Number(v) : -1;
      if (n < 0 || (length !== undefined && n !== length))
        this.fail('Bad or conflicting Content-Length on a stream', headBytes);
      length = n;
    }
    if (length === undefined) this.fail('Missing Content-Length on a stream transport', headBytes);
    const total = end[1] + length!;
    // RFC 3261 §21.5.14: 513 (Message Too Large).
    if (total > this.maxMessageSize) this.fail('Message Too Large', headBytes, 513);
    return total;
  }

  private fail(reason: string, head?: Buffer, status = 400): never {
    this.failedHead = head && Buffer.from(head);
    throw new SipParseError(reason, 'Content-Length', status);
  }
}
