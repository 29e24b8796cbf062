import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../message/index.ts';

/**
 * A fresh Via branch for a new client transaction: RFC 3261 §8.1.1.7, the magic cookie then
 * 96 random bits (unique across space and time), in token characters.
 */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(12).toString('base64url');
}
