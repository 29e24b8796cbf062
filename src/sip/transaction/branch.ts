import { BRANCH_MAGIC_COOKIE } from '../message/index.ts';
import { randomText } from '../message/random-text.ts';

/**
 * A fresh Via branch for a new client transaction: RFC 3261 §8.1.1.7, the magic cookie then
 * 96 random bits (unique across space and time), in token characters.
 */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomText(12, 'base64url');
}
