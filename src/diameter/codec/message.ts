import type { DiameterHeader } from './header.ts';
import type { RawAvp } from './raw-avp.ts';

/**
 * A decoded AVP value by base type: OctetString → Buffer; Integer32, Unsigned32, Float32/64,
 * Enumerated → number; Integer64, Unsigned64 → bigint; Time → Date; Address → IP text;
 * UTF8String, DiameterIdentity, DiameterURI, IPFilterRule → string; Grouped → AvpValues.
 */
export type AvpValue = string | number | bigint | Buffer | Date | AvpValues;

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
