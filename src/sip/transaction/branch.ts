import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../message/index.ts';

const BYTES = 12;
/** Random bytes drawn in blocks: one system call per 512 branches, not one per branch. */
const pool = Buffer.alloc(BYTES * 512);
let offset = pool.length;

/**
 * A fresh Via branch for a new client transaction: RFC 3261 §8.1.1.7, the magic cookie then
 * 96 random bits (unique across space and time), in token characters.
 */
export function newBranch(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + BYTES);
  offset += BYTES;
  return BRANCH_MAGIC_COOKIE + id;
}
