import type { DiameterHeader } from './header.ts';
import type { RawAvp } from './raw-avp.ts';

/**
 * An Address (RFC 6733 §4.3.1) of a family other than IPv4 (1) and IPv6 (2): the IANA address
 * family number and the address bytes as received (e.g. family 8, E.164, carries ASCII digits).
 */
export interface AddressValue {
  family: number;
  bytes: Buffer;
}

/**
 * A decoded AVP value by base type: OctetString → Buffer; Integer32, Unsigned32, Float32/64,
 * Enumerated → number; Integer64, Unsigned64 → bigint; Time → Date; Address → IP text (IPv4,
 * IPv6) or AddressValue (other families); UTF8String, DiameterIdentity, DiameterURI,
 * IPFilterRule → string; Grouped → AvpValues.
 */
export type AvpValue = string | number | bigint | Buffer | Date | AddressValue | AvpValues;

/**
 * AVPs by camelCase name (see avpKey). An AVP whose rule allows at most one occurrence is a single
 * value, otherwise an array; AVPs admitted by `*[ AVP ]` are arrays. `rawAvps` holds AVPs the
 * dictionary does not know (or, in Failed-AVP, could not read), in wire order.
 */
export interface AvpValues {
  [key: string]: AvpValue | AvpValue[] | RawAvp[] | undefined;
  rawAvps?: RawAvp[];
}

/** A Diameter message: header and AVPs. */
export interface DiameterMessage<T extends AvpValues = AvpValues> {
  header: DiameterHeader;
  avps: T;
}

/** What a caller fills to build a message; the encoder computes the length. */
export interface MessageInit<T extends AvpValues = AvpValues> {
  header: Omit<DiameterHeader, 'length' | 'version'> & { length?: number; version?: number };
  avps: T;
}
