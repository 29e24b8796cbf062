import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in blocks: one system call per 6 KiB of tags and branches, not one each. */
const pool = Buffer.alloc(6144);
let offset = pool.length;

/** `bytes` fresh random bytes (at most 64) as text, e.g. for a tag or a branch (RFC 3261 §19.3, §8.1.1.7). */
export function randomText(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const text = pool.toString(encoding, offset, offset + bytes);
  offset += bytes;
  return text;
}
