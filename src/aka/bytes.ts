import { AkaError } from './errors.ts';

/** TS 33.102 §6.3.2: SQN is 48 bits. */
export const SQN_MAX = 2 ** 48 - 1;

const HEX = /^[0-9a-fA-F]*$/;

/** Decodes `text` as exactly `length` octets of hexadecimal; `name` says which parameter in errors. */
export function parseHex(name: string, text: string, length: number): Buffer {
  if (!HEX.test(text)) throw new AkaError('BAD_HEX', `${name}: '${text}' is not hexadecimal`);
  if (text.length !== length * 2) {
    throw new AkaError(
      'BAD_LENGTH',
      `${name}: expected ${length * 2} hex digits (${length} octets), got ${text.length}`,
    );
  }
  return Buffer.from(text, 'hex');
}

/** Throws BAD_LENGTH unless `value` holds exactly `length` octets. */
export function requireLength(name: string, value: Uint8Array, length: number): void {
  if (value.length !== length) {
    throw new AkaError('BAD_LENGTH', `${name}: expected ${length} octets, got ${value.length}`);
  }
}

/** Octet-wise exclusive or of two equally long values. */
export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** Throws SQN_OUT_OF_RANGE unless `sqn` is an integer in 0..2^48-1. */
export function requireSqn(name: string, sqn: number): void {
  if (!Number.isSafeInteger(sqn) || sqn < 0 || sqn > SQN_MAX) {
    throw new AkaError('SQN_OUT_OF_RANGE', `${name}: ${sqn} is not a 48-bit sequence number`);
  }
}

/** The 6 octets of a sequence number, most significant first. */
export function sqnToBytes(sqn: number): Buffer {
  requireSqn('SQN', sqn);
  const out = Buffer.allocUnsafe(6);
  out.writeUIntBE(sqn, 0, 6);
  return out;
}

/** A sequence number from its 6 octets. */
export function sqnFromBytes(octets: Uint8Array): number {
  requireLength('SQN', octets, 6);
  return Buffer.from(octets.buffer, octets.byteOffset, 6).readUIntBE(0, 6);
}
