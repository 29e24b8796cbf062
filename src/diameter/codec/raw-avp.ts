/** RFC 6733 §4.1 AVP flag bits. */
export const AvpFlag = {
  Vendor: 0x80,
  Mandatory: 0x40,
  Protected: 0x20,
} as const;

/** RFC 6733 §3 command flag bits. */
export const CommandFlag = {
  Request: 0x80,
  Proxiable: 0x40,
  Error: 0x20,
  Retransmitted: 0x10,
} as const;

/** RFC 6733 §3: version 1, 20-byte header. */
export const DIAMETER_VERSION = 1;
export const HEADER_LENGTH = 20;

/**
 * An AVP as on the wire, before or without dictionary interpretation: used for AVPs the
 * dictionary does not know, for Failed-AVP contents and by relays.
 */
export interface RawAvp {
  code: number;
  /** V, M, P bits (AvpFlag). */
  flags: number;
  /** 0 unless the V bit is set. */
  vendorId: number;
  /** The value bytes, without padding. */
  data: Buffer;
}

/** RFC 6733 §4.1: header is 8 bytes, 12 with a Vendor-ID. */
export function avpHeaderLength(flags: number): number {
  return flags & AvpFlag.Vendor ? 12 : 8;
}

/** Bytes a raw AVP takes on the wire, padding included. */
export function rawAvpWireLength(avp: RawAvp): number {
  return (avpHeaderLength(avp.flags) + avp.data.length + 3) & ~3;
}
