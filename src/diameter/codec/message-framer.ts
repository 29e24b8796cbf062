import { DiameterDecodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { DIAMETER_VERSION, HEADER_LENGTH } from './raw-avp.ts';

/**
 * Cuts a TCP byte stream into whole messages by the header's length field. A stream whose
 * length field cannot be trusted (not a multiple of 4, too short or above the limit) cannot be
 * resynchronised: `push` throws DiameterDecodeError and the caller closes the connection.
 *
 * A message of another version whose length is sane is delivered whole, so that a request can be
 * answered with 5011 DIAMETER_UNSUPPORTED_VERSION (RFC 6733 §7.1.5); nothing after it is trusted:
 * the stream ends there (`ended`), later bytes are dropped and the caller closes the connection.
 */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private endedValue = false;

  constructor(private readonly maxMessageLength = 1 << 20) {}

  /** Adds bytes; returns the messages completed by them (each exactly one message long). */
  push(chunk: Buffer): Buffer[] {
    if (this.endedValue) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const version = head[0]!;
      const length = head.readUIntBE(1, 3);
      if (length < HEADER_LENGTH || length % 4 !== 0 || length > this.maxMessageLength) {
        throw version !== DIAMETER_VERSION
          ? new DiameterDecodeError(
              `stream out of sync: version ${version}`,
              ResultCode.DIAMETER_UNSUPPORTED_VERSION,
            )
          : new DiameterDecodeError(
              `stream out of sync: message length ${length}`,
              ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH,
            );
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
      if (version !== DIAMETER_VERSION) {
        this.endedValue = true;
        this.chunks = [];
        this.buffered = 0;
        break;
      }
    }
    return out;
  }

  /** Bytes held that do not yet form a message. */
  get pending(): number {
    return this.buffered;
  }

  /** True once a message of another version was delivered: the stream cannot be trusted after it. */
  get ended(): boolean {
    return this.endedValue;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const msg = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return msg;
  }
}
