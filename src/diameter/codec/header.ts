import { DiameterDecodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import { CommandFlag, DIAMETER_VERSION, HEADER_LENGTH } from './raw-avp.ts';

/** RFC 6733 §3 Diameter header. */
export interface DiameterHeader {
  version: number;
  /** Whole message length in bytes, header included (set by the encoder). */
  length: number;
  /** R, P, E, T bits (CommandFlag). */
  flags: number;
  commandCode: number;
  applicationId: number;
  hopByHopId: number;
  endToEndId: number;
}

export function isRequest(header: DiameterHeader): boolean {
  return (header.flags & CommandFlag.Request) !== 0;
}

/**
 * Reads the 20-byte header. Throws DiameterDecodeError: 5015 when the length is not a multiple
 * of 4, shorter than a header or longer than the buffer (RFC 6733 §7.1.5), 5011 for a version
 * other than 1, 3008 for a request with the E bit (§3: "E ... MUST NOT be set in requests").
 */
export function readHeader(buf: Buffer): DiameterHeader {
  if (buf.length < HEADER_LENGTH) {
    throw new DiameterDecodeError(
      `message shorter than a header (${buf.length} bytes)`,
      ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH,
    );
  }
  const header: DiameterHeader = {
    version: buf[0]!,
    length: buf.readUIntBE(1, 3),
    flags: buf[4]!,
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    hopByHopId: buf.readUInt32BE(12),
    endToEndId: buf.readUInt32BE(16),
  };
  if (header.version !== DIAMETER_VERSION) {
    throw new DiameterDecodeError(
      `unsupported version ${header.version}`,
      ResultCode.DIAMETER_UNSUPPORTED_VERSION,
      header,
    );
  }
  // RFC 6733 §7.1.5 DIAMETER_INVALID_MESSAGE_LENGTH: "a message length that is not a multiple of 4".
  if (header.length < HEADER_LENGTH || header.length % 4 !== 0 || header.length > buf.length) {
    throw new DiameterDecodeError(
      `bad message length ${header.length} (${buf.length} bytes received)`,
      ResultCode.DIAMETER_INVALID_MESSAGE_LENGTH,
      header,
    );
  }
  if (header.flags & CommandFlag.Request && header.flags & CommandFlag.Error) {
    throw new DiameterDecodeError('E bit set in a request', ResultCode.DIAMETER_INVALID_HDR_BITS, header);
  }
  return header;
}

export function writeHeader(buf: Buffer, header: DiameterHeader, length: number): void {
  buf[0] = DIAMETER_VERSION;
  buf.writeUIntBE(length, 1, 3);
  buf[4] = header.flags & 0xf0;
  buf.writeUIntBE(header.commandCode, 5, 3);
  buf.writeUInt32BE(header.applicationId >>> 0, 8);
  buf.writeUInt32BE(header.hopByHopId >>> 0, 12);
  buf.writeUInt32BE(header.endToEndId >>> 0, 16);
}
