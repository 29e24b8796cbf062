/**
 * The key that signs the P-CSCF's flow tokens. The registrar keeps the tokens (in Path) for as
 * long as a registration lasts, across a restart of the P-CSCF too: with the key in a file, a
 * restarted P-CSCF still recognises them and terminating requests still reach the UE over its
 * UDP binding (RFC 5626 §5.2; a connection's token names a connection of the old process and
 * matches none of the new one). Without a file, each start draws a key of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const KEY_BYTES = 32;

/** The key in `path` (hex), created there (mode 0600) on first use. */
export async function loadFlowTokenKey(path: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true });
    const key = randomBytes(KEY_BYTES);
    try {
      await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      return key;
    } catch (raced) {
      // Another process created it first: use that one.
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      text = await readFile(path, 'utf8');
    }
  }
  const hex = text.trim();
  if (!/^(?:[0-9a-fA-F]{2}){16,}$/.test(hex))
    throw new Error(`${path}: a flow token key must be at least 16 bytes in hex`);
  return Buffer.from(hex, 'hex');
}
