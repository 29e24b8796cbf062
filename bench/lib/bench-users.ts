/**
 * The benchmark's subscribers: numbered users (`b0000001@ims.test`), handed out in ranges so
 * every registration step registers users never registered before (an initial registration,
 * not a re-registration), written as SIPp injection files and provisioned into the HSS's
 * SQLite database before `ims up` starts.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { NewSubscription } from '../../src/functions/hss/model.ts';
import { newSubscription } from '../../src/functions/hss/subscriber-defaults.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite/sqlite-subscriber-store.ts';

/**
 * SIPp 3.6.1 takes aka_K, aka_OP and aka_AMF as raw characters (16, 16, 2), not hex
 * (../shared/INTEROP.md): the HSS is provisioned with the hex of the same characters.
 */
export const AKA_K = '0123456789abcdef';
export const AKA_OP = 'fedcba9876543210';
export const AKA_AMF = '80';
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

export type AuthKind = 'digest' | 'aka';

/** Users [from, to). */
export interface UserRange {
  from: number;
  to: number;
  kind: AuthKind;
}

export function userName(i: number): string {
  return `b${String(i).padStart(7, '0')}`;
}

/** Hands out consecutive ranges of user numbers. */
export class UserPool {
  private next = 1;
  readonly taken: UserRange[] = [];

  take(count: number, kind: AuthKind): UserRange {
    const range = { from: this.next, to: this.next + count, kind };
    this.next += count;
    this.taken.push(range);
    return range;
  }

  get total(): number {
    return this.next - 1;
  }
}

async function writeLines(path: string, header: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** A SIPp injection file registering each user of the range once, in order. */
export async function writeRegistrationCsv(
  path: string,
  range: UserRange,
  domain: string,
  password: string,
): Promise<void> {
  function* lines() {
    for (let i = range.from; i < range.to; i++) {
      yield range.kind === 'aka'
        ? `${userName(i)};${domain};${AKA_K};${AKA_OP};${AKA_AMF}`
        : `${userName(i)};${domain};${password}`;
    }
  }
  await writeLines(path, 'SEQUENTIAL', lines());
}

/** Random caller → callee pairs: `callee;domain;password;caller` (the shared call scenario's fields). */
export async function writeCallsCsv(
  path: string,
  callers: UserRange,
  callees: UserRange,
  domain: string,
  pairs = 10_000,
): Promise<void> {
  const pick = (r: UserRange) => r.from + Math.floor(Math.random() * (r.to - r.from));
  function* lines() {
    for (let i = 0; i < pairs; i++) yield `${userName(pick(callees))};${domain};-;${userName(pick(callers))}`;
  }
  await writeLines(path, 'RANDOM', lines());
}

/** Provisions every user of the ranges into an HSS SQLite database (created if absent). */
export async function provisionUsers(
  dbPath: string,
  ranges: readonly UserRange[],
  domain: string,
  password: string,
): Promise<{ imported: number; failed: number; seconds: number }> {
  function* subscriptions(): Generator<NewSubscription> {
    for (const r of ranges) {
      for (let i = r.from; i < r.to; i++) {
        const impu = `sip:${userName(i)}@${domain}`;
        yield r.kind === 'aka'
          ? newSubscription({ impu, k: hex(AKA_K), op: hex(AKA_OP), amf: hex(AKA_AMF) })
          : newSubscription({ impu, password });
      }
    }
  }
  const t0 = Date.now();
  const store = await SqliteSubscriberStore.open({ path: dbPath });
  try {
    const result = await store.bulkImport(subscriptions(), { batchSize: 5000 });
    return { imported: result.imported, failed: result.failed, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await store.close();
  }
}
