import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from the system's CSPRNG in blocks: one call per 6 KiB of tags, branches,
 * Call-IDs, nonces and charging identifiers, not one each (a call costs far more than the bytes
 * it returns, and these are drawn for every request). Each byte is handed out once.
 */
const pool = Buffer.alloc(6144);
let offset = pool.length;

/** Where the next `bytes` fresh bytes start in the pool (at most 64). */
function take(bytes: number): number {
  if (bytes > 64) throw new RangeError(`at most 64 random bytes at a time (asked ${bytes})`);
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start;
}

/**
 * `bytes` fresh random bytes (at most 64) as text, e.g. for a tag, a branch or a Call-ID
 * (RFC 3261 §19.3, §8.1.1.7, §8.1.1.4).
 */
export function randomText(bytes: number, encoding: 'hex' | 'base64url' | 'base64'): string {
  const start = take(bytes);
  return pool.toString(encoding, start, start + bytes);
}

/** `bytes` fresh random bytes in a buffer of their own. */
export function randomBuffer(bytes: number): Buffer {
  if (bytes > 64) return randomFillSync(Buffer.alloc(bytes));
  const start = take(bytes);
  return Buffer.from(pool.subarray(start, start + bytes));
}
