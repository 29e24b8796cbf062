/**
 * The password the HSS makes up for a subscriber created without credentials (ARCHITECTURE.md
 * §7: "only `--impu` is given" means SIP Digest). Only its HA1 values are stored, like those
 * of a given password; the creation answer carries it once, and it cannot be read back.
 */
import { randomInt } from 'node:crypto';

/** No 0/O, 1/l/I: read aloud or copied by hand without mistakes. */
export const PASSWORD_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
export const GENERATED_PASSWORD_LENGTH = 16;

/** A random password (crypto random, each character uniform over the alphabet: ~93 bits for 16). */
export function generatePassword(length = GENERATED_PASSWORD_LENGTH): string {
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}
