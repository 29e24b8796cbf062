/**
 * The memory store's snapshot file: a header line, one stored record (registration-codec.ts)
 * per line, a trailer line with the record count (so a truncated file is told from a complete
 * one). Written to a temporary file, fsynced, then renamed over the old one, so a crash leaves
 * either the old or the new snapshot, never half of one.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { StoreError } from '../store-error.ts';
import { decodeRegistration } from './registration-codec.ts';
import type { Registration } from './types.ts';

const FORMAT = 'ims-core registrations';
const VERSION = 1;
const CHUNK_BYTES = 1 << 20;

/** The records of the snapshot at `path`, or none when there is no file yet. */
export async function readSnapshot(
  path: string,
  onRecord: (reg: Registration, text: string) => void,
): Promise<void> {
  const corrupt = (line: number, why: string): StoreError =>
    new StoreError(
      'UNAVAILABLE',
      `registration snapshot ${path} is corrupt (line ${line}: ${why}); it is left as it is: ` +
        'move it away to start with no registrations',
    );
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = once(stream, 'open').then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw new StoreError('UNAVAILABLE', `cannot read registration snapshot ${path}: ${err.message}`, {
        cause: err,
      });
    },
  );
  if (!(await opened)) return;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let records = 0;
  let trailer: unknown;
  try {
    for await (const text of lines) {
      n++;
      if (trailer !== undefined) throw corrupt(n, 'text after the trailer line');
      if (n === 1) {
        const header = parseJson(text);
        if (header?.format !== FORMAT || header.version !== VERSION)
          throw corrupt(n, `not a "${FORMAT}" version ${VERSION} header`);
        continue;
      }
      if (text.startsWith('{"end"')) {
        trailer = parseJson(text);
        continue;
      }
      let reg: Registration;
      try {
        reg = decodeRegistration(text);
      } catch (err) {
        throw corrupt(n, (err as Error).message);
      }
      records++;
      onRecord(reg, text);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (n === 0) throw corrupt(1, 'empty file');
  const count = (trailer as { records?: unknown } | undefined)?.records;
  if (count === undefined) throw corrupt(n, 'no trailer line (the file is truncated)');
  if (count !== records) throw corrupt(n, `trailer says ${String(count)} records, the file holds ${records}`);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `records` (stored texts) to `path` atomically: temporary file, fsync, rename, fsync of the folder. */
export async function writeSnapshot(path: string, records: readonly string[]): Promise<void> {
  const dir = dirname(path);
  const temp = `${dir}/.${basename(path)}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, records);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new StoreError(
      'UNAVAILABLE',
      `cannot write registration snapshot ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  await rename(temp, path);
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function writeFile(temp: string, records: readonly string[]): Promise<void> {
  const file = await open(temp, 'w', 0o600);
  try {
    let chunk = `${JSON.stringify({ format: FORMAT, version: VERSION, writtenAt: new Date().toISOString() })}\n`;
    for (const text of records) {
      chunk += `${text}\n`;
      if (chunk.length >= CHUNK_BYTES) {
        await file.write(chunk);
        chunk = '';
      }
    }
    chunk += `${JSON.stringify({ end: true, records: records.length })}\n`;
    await file.write(chunk);
    await file.sync();
  } finally {
    await file.close();
  }
}
