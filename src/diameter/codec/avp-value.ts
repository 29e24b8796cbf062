import { isUtf8 } from 'node:buffer';
import type { AvpSpec } from '../dictionary/dictionary.ts';
import type { AvpType } from '../dictionary/types.ts';
import { DiameterEncodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import type { ByteWriter } from './byte-writer.ts';
import { bytesToIp, ipToBytes } from './ip-address.ts';
import type { AddressValue, AvpValue } from './message.ts';

// RFC 6733 §4.3.1 Time: seconds since 1900-01-01 (NTP). RFC 4330 §3: a value with the top bit
// clear is read as 2036-2104 (era 1), so the field keeps working past 2036.
const NTP_EPOCH_OFFSET = 2208988800;
const TWO_32 = 4294967296;

// RFC 6733 §4.3.1 Address: a 2-byte IANA address family, then the address.
const FAMILY_IPV4 = 1;
const FAMILY_IPV6 = 2;

/** A value that does not fit its type, found while decoding: 5014 (length) or 5004 (content). */
export class AvpValueError extends Error {
  constructor(
    message: string,
    readonly resultCode: number,
  ) {
    super(message);
    this.name = 'AvpValueError';
  }
}

/** Bytes a fixed-size type must have, or undefined for variable-size types. */
function fixedLength(type: AvpType): number | undefined {
  switch (type) {
    case 'Integer32':
    case 'Unsigned32':
    case 'Float32':
    case 'Enumerated':
    case 'Time':
      return 4;
    case 'Integer64':
    case 'Unsigned64':
    case 'Float64':
      return 8;
    default:
      return undefined;
  }
}

/** RFC 6733 §7.5: a zero-filled value "of correct minimum length", for Failed-AVP examples. */
export function minimumData(type: AvpType): Buffer {
  if (type === 'Address') return Buffer.from([0, FAMILY_IPV4, 0, 0, 0, 0]);
  return Buffer.alloc(fixedLength(type) ?? 0);
}

/** Decodes the data of a non-grouped AVP. Throws AvpValueError. */
export function readValue(spec: AvpSpec, data: Buffer): AvpValue {
  const type = spec.def.type;
  const fixed = fixedLength(type);
  if (fixed !== undefined && data.length !== fixed) {
    throw new AvpValueError(
      `${spec.def.name}: ${type} needs ${fixed} bytes, got ${data.length}`,
      ResultCode.DIAMETER_INVALID_AVP_LENGTH,
    );
  }
  switch (type) {
    case 'OctetString':
      return Buffer.from(data);
    case 'Integer32':
    case 'Enumerated':
      return data.readInt32BE(0);
    case 'Unsigned32':
      return data.readUInt32BE(0);
    case 'Integer64':
      return data.readBigInt64BE(0);
    case 'Unsigned64':
      return data.readBigUInt64BE(0);
    case 'Float32':
      return data.readFloatBE(0);
    case 'Float64':
      return data.readDoubleBE(0);
    case 'Time': {
      const seconds = data.readUInt32BE(0);
      const ntp = seconds < 0x80000000 ? seconds + TWO_32 : seconds;
      return new Date((ntp - NTP_EPOCH_OFFSET) * 1000);
    }
    case 'Address':
      return readAddress(spec, data);
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      if (!isUtf8(data)) {
        throw new AvpValueError(`${spec.def.name}: not valid UTF-8`, ResultCode.DIAMETER_INVALID_AVP_VALUE);
      }
      return data.toString('utf8');
    case 'Grouped':
      throw new Error('grouped AVPs are decoded by the message decoder');
  }
}

/**
 * RFC 6733 §4.3.1 Address: "AddressType ... contains an Address Family defined in [IANAADFAM]".
 * IPv4 and IPv6 become text; any other family (E.164, NSAP, ...) is kept as it came, family
 * number and bytes, so that a message carrying one is still read, relayed and encoded back.
 */
function readAddress(spec: AvpSpec, data: Buffer): string | AddressValue {
  if (data.length < 2) {
    throw new AvpValueError(
      `${spec.def.name}: Address shorter than 2 bytes`,
      ResultCode.DIAMETER_INVALID_AVP_LENGTH,
    );
  }
  const family = data.readUInt16BE(0);
  const want = family === FAMILY_IPV4 ? 4 : family === FAMILY_IPV6 ? 16 : undefined;
  if (want === undefined) return { family, bytes: Buffer.from(data.subarray(2)) };
  if (data.length !== 2 + want) {
    throw new AvpValueError(
      `${spec.def.name}: address of family ${family} needs ${want} bytes`,
      ResultCode.DIAMETER_INVALID_AVP_LENGTH,
    );
  }
  return bytesToIp(data.subarray(2));
}

function isAddressValue(value: unknown): value is AddressValue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<AddressValue>;
  return (
    typeof v.family === 'number' &&
    Number.isInteger(v.family) &&
    v.family >= 0 &&
    v.family <= 0xffff &&
    v.bytes instanceof Uint8Array
  );
}

function fail(spec: AvpSpec, value: unknown, want: string): never {
  const shown = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  throw new DiameterEncodeError(
    `${spec.def.name}: ${spec.def.type} needs ${want}, got ${String(shown).slice(0, 60)}`,
    ResultCode.DIAMETER_INVALID_AVP_VALUE,
  );
}

function integer(spec: AvpSpec, value: unknown, min: number, max: number): number {
  let v = value;
  if (typeof v === 'string' && spec.enumValues && v in spec.enumValues) v = spec.enumValues[v];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(spec, value, `an integer in [${min}, ${max}]`);
  }
  return v;
}

function big(spec: AvpSpec, value: unknown, min: bigint, max: bigint): bigint {
  const v = typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
  if (typeof v !== 'bigint' || v < min || v > max) fail(spec, value, 'a bigint in range');
  return v;
}

/** Writes the data of a non-grouped AVP. Throws DiameterEncodeError on a value of the wrong type. */
export function writeValue(w: ByteWriter, spec: AvpSpec, value: unknown): void {
  switch (spec.def.type) {
    case 'OctetString':
      if (typeof value === 'string') w.utf8(value);
      else if (value instanceof Uint8Array) w.bytes(value);
      else fail(spec, value, 'a Buffer');
      return;
    case 'Integer32':
    case 'Enumerated':
      w.i32(integer(spec, value, -0x80000000, 0x7fffffff));
      return;
    case 'Unsigned32':
      w.u32(integer(spec, value, 0, 0xffffffff));
      return;
    case 'Integer64':
      w.i64(big(spec, value, -(2n ** 63n), 2n ** 63n - 1n));
      return;
    case 'Unsigned64':
      w.u64(big(spec, value, 0n, 2n ** 64n - 1n));
      return;
    case 'Float32':
    case 'Float64':
      if (typeof value !== 'number') fail(spec, value, 'a number');
      if (spec.def.type === 'Float32') w.f32(value);
      else w.f64(value);
      return;
    case 'Time': {
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(spec, value, 'a Date');
      const ntp = Math.floor(value.getTime() / 1000) + NTP_EPOCH_OFFSET;
      if (ntp < 0x80000000 || ntp >= TWO_32 + 0x80000000) fail(spec, value, 'a Date in 1968-2104');
      w.u32(ntp >= TWO_32 ? ntp - TWO_32 : ntp);
      return;
    }
    case 'Address': {
      if (isAddressValue(value)) {
        w.ensure(2);
        w.u8(value.family >> 8);
        w.u8(value.family & 0xff);
        w.bytes(value.bytes);
        return;
      }
      const bytes = typeof value === 'string' ? ipToBytes(value) : undefined;
      if (!bytes) fail(spec, value, 'an IPv4 or IPv6 address, or { family, bytes }');
      w.ensure(2);
      w.u8(0);
      w.u8(bytes.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6);
      w.bytes(bytes);
      return;
    }
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      if (typeof value !== 'string') fail(spec, value, 'a string');
      w.utf8(value);
      return;
    case 'Grouped':
      throw new Error('grouped AVPs are encoded by the message encoder');
  }
}
